import ReconnectPolicy
import CShims
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Follows a systemd unit's messages in the journal (for servers run as a unit, user or system),
/// feeding them, one line each, to the same sink a log file feeds.
///
/// An `sd_journal` may be used from a single thread for its whole life, "even if locking is used"
/// (libsystemd's threads-aware rule), and Dispatch queues have no thread affinity. So the journal
/// lives on a dedicated thread that opens it, reads the recent history, then sleeps in `poll(2)`
/// on the journal's descriptor and a stop pipe; each wake-up's messages go to `queue` as one batch.
public final class JournalFollower: @unchecked Sendable {
    public let unit: String
    private let queue: DispatchQueue
    private let sink: LogSink
    private let history: UInt32
    private var stopPipe: (read: Int32, write: Int32) = (-1, -1)

    /// `unit` without a suffix means `UNIT.service`. `history`: how many recent entries count as
    /// the existing content (to notice a server that is already running).
    public init(unit: String, queue: DispatchQueue, sink: LogSink, history: UInt32 = 500) {
        self.unit = Self.unitName(unit)
        self.queue = queue
        self.sink = sink
        self.history = history
    }

    /// The unit as systemd names it: without a suffix, `UNIT.service`.
    public static func unitName(_ unit: String) -> String { unit.contains(".") ? unit : unit + ".service" }

    /// Opens the journal on its thread and feeds the recent history to the sink before returning.
    /// Must be called on `queue`.
    public func start() throws(SystemError) {
        dispatchPrecondition(condition: .onQueue(queue))
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SystemError(operation: "pipe", path: nil, errno: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        stopPipe = (fds[0], fds[1])
        let reader = JournalThread(unit: unit, history: history, stopDescriptor: fds[0], queue: queue, sink: sink)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(reader).toOpaque()
        guard pthread_create(&thread, nil, { raw in
            Unmanaged<JournalThread>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context) == 0 else {
            Unmanaged<JournalThread>.fromOpaque(context).release()
            throw SystemError(operation: "pthread_create", path: nil, errno: errno)
        }
        pthread_detach(thread)
        reader.opened.wait()
        if let code = reader.openError {
            throw SystemError(operation: "sd_journal_open", path: "journal of \(unit)", errno: code)
        }
        reader.history.withUnsafeBytes { sink.consume($0) }
    }

    /// Stops the thread (it closes the journal itself, on its own thread).
    public func stop() {
        guard stopPipe.write >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(stopPipe.write, &byte, 1)
        close(stopPipe.write)
        stopPipe = (-1, -1)
    }
}

/// The journal's own thread: everything that touches the `sd_journal` happens in `run()`.
private final class JournalThread: @unchecked Sendable {
    let unit: String
    let historyCount: UInt32
    let stopDescriptor: Int32
    let queue: DispatchQueue
    let sink: LogSink
    let opened = DispatchSemaphore(value: 0)
    var openError: Int32?
    var history: [UInt8] = []

    init(unit: String, history: UInt32, stopDescriptor: Int32, queue: DispatchQueue, sink: LogSink) {
        self.unit = unit
        historyCount = history
        self.stopDescriptor = stopDescriptor
        self.queue = queue
        self.sink = sink
    }

    func run() {
        var journal: OpaquePointer?
        let result = altv_journal_open(unit, historyCount, &journal)
        guard result >= 0, let journal else {
            openError = -result
            opened.signal()
            close(stopDescriptor)
            return
        }
        history = drain(journal)
        opened.signal()
        defer {
            altv_journal_close(journal)
            close(stopDescriptor)
        }
        while altv_journal_wait(journal, stopDescriptor) > 0 {
            let batch = drain(journal)
            guard !batch.isEmpty else { continue }
            queue.async { [sink] in batch.withUnsafeBytes { sink.consume($0) } }
        }
    }

    /// Every new entry's message, one per line.
    private func drain(_ journal: OpaquePointer) -> [UInt8] {
        var batch: [UInt8] = []
        var data: UnsafeRawPointer?
        var length = 0
        while altv_journal_next_message(journal, &data, &length) > 0, let data {
            batch.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
            batch.append(10)
        }
        return batch
    }
}
