import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A non-blocking inotify descriptor and the events read from it.
///
/// The descriptor is what a Dispatch read source watches: it becomes readable when the kernel
/// queues an event, so the daemon sleeps until a file actually changes (no polling timer).
public final class Inotify {
    public struct Event: Sendable, Equatable {
        public var watch: Int32
        public var mask: UInt32
        public var name: String
        public var isOverflow: Bool { mask & UInt32(IN_Q_OVERFLOW) != 0 }
    }

    public let fileDescriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    public init() throws(SystemError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw SystemError(operation: "inotify_init1", path: nil, errno: errno) }
        fileDescriptor = fd
    }

    /// Adds (or updates) a watch; returns its descriptor.
    public func addWatch(_ path: String, mask: UInt32) throws(SystemError) -> Int32 {
        let wd = inotify_add_watch(fileDescriptor, path, mask)
        guard wd >= 0 else { throw SystemError(operation: "inotify_add_watch", path: path, errno: errno) }
        return wd
    }

    public func removeWatch(_ wd: Int32) {
        _ = inotify_rm_watch(fileDescriptor, wd)
    }

    /// Reads every queued event (the descriptor is non-blocking; stops at EAGAIN).
    public func drain(_ body: (Event) -> Void) {
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                let headerSize = MemoryLayout<inotify_event>.size
                while offset + headerSize <= count {
                    let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let nameBytes = raw[(offset + headerSize)..<min(count, offset + headerSize + length)]
                    let name = String(decoding: nameBytes.prefix(while: { $0 != 0 }), as: UTF8.self)
                    body(Event(watch: wd, mask: mask, name: name))
                    offset += headerSize + length
                }
            }
        }
    }

    deinit { close(fileDescriptor) }
}

