import Dispatch
import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Follows one container by name through the Engine API: its event stream (`/events`, filtered
/// to the name) says when it starts, dies, is removed and created again; for each start, its
/// output (`/containers/NAME/logs?follow=1`, from the end of the previous run on) goes to the
/// sink like a log file's bytes. Both are endless answers read through Dispatch read sources
/// (`EngineStream`): while the container runs and writes nothing, nothing wakes up.
///
/// Why the end of the previous run, not the start: the engine stamps output when it reads it,
/// which can be before it records `StartedAt`; everything after the previous exit is this run's.
///
/// The engine may be missing (waited for with inotify on its socket), restarting or refusing
/// (tried again with a backoff), or deny the socket (said, tried again slowly); a lost event
/// stream means the engine went away, and when it is back the container is looked at again.
///
/// Threading: confined to `queue`; `onEvent` and the sink are called on it. Blocking requests
/// run on `worker` and come back with the generation they were asked in, so an answer that
/// arrives after a stop or a newer request is dropped.
final class ContainerFollower: @unchecked Sendable {
    enum Event: Sendable, Equatable {
        /// The engine cannot be reached: the explanation (`DockerEngine.explain`).
        case engineUnreachable(String)
        case engineConnected
        /// The event stream ended: the engine stopped or restarts.
        case engineLost
        case containerMissing
        /// At start-up or after the engine came back: the container exists and does not run.
        case containerNotRunning(status: String)
        /// A run begins (`alreadyRunning`: found running at start-up; its output so far is read).
        case started(pid: Int32, alreadyRunning: Bool, tty: Bool)
        case exited(pid: Int32, exitCode: String?)
        case created
        case removed
        /// A request or a stream went wrong in a way that is not the engine's absence.
        case problem(String)
        /// For `--verbose`: a request sent, an event received.
        case trace(String)
    }

    let name: String
    let engine: DockerEngine
    private let queue: DispatchQueue
    private let timeout: Duration
    private let sink: LogSink
    private let onEvent: (Event) -> Void
    private let worker = BlockingWorker(label: "altv-reconnectd.docker")

    private var events: EngineStream?
    private var eventLine: [UInt8] = []
    private var eventLineTooLong = false
    private var logs: EngineStream?
    private var output = ContainerOutput(tty: false)
    /// Bumped by every attach, start request and stop: answers carry the value they were asked with.
    private var generation = 0
    private var stopped = false
    /// The run followed (`Inspect.runIdentity`), its process, where its output began and how
    /// much of it was read (to follow the same run again after losing the engine, without
    /// repeating it).
    private var followedRun: String?
    private var pid: Int32 = 0
    private var runSince: Int64 = 0
    private var runOutputRead = 0
    /// The engine said a run died (its exit code, when): said once its output has ended too.
    private var died: (exitCode: String?, at: Int64)?
    /// A start's inspect and logs request is on the worker.
    private var startInFlight = false
    /// Where the next run's output begins (nanoseconds since 1970): the previous run's end.
    private var lastEnd: Int64 = 0
    private var lastProblem: String?
    private let retry: OneShotTimer
    private var backoff: Duration = .milliseconds(250)
    private var socketWatch: WatchedFile?

    init(name: String, engine: DockerEngine, queue: DispatchQueue, timeout: Duration, sink: LogSink, onEvent: @escaping (Event) -> Void) {
        self.name = name
        self.engine = engine
        self.queue = queue
        self.timeout = timeout
        self.sink = sink
        self.onEvent = onEvent
        retry = OneShotTimer(queue: queue)
    }

    private var client: HTTPClient { engine.client(timeout: timeout) }

    // MARK: Start and stop

    /// Looks at the engine and the container now, blocking (bounded by the request timeout):
    /// a running container's output so far is read and handed on before this returns, so the
    /// daemon catches up with it like with a log written before it started. Anything that
    /// stands in the way is reported after this returns and waited for.
    func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        generation += 1
        onEvent(.trace(attachRequests))
        switch Self.attach(client, name) {
        case .failure(let error):
            let mine = generation
            queue.async { [weak self] in
                guard let self, mine == generation else { return }
                attachFailed(error)
            }
        case .success(let attachment):
            attached(attachment, atStart: true)
        }
    }

    func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        stopped = true
        generation += 1
        events?.stop()
        events = nil
        logs?.stop()
        logs = nil
        retry.cancel()
        socketWatch?.stop()
        socketWatch = nil
    }

    // MARK: The engine

    struct Attachment: Sendable {
        var events: HTTPClient.OpenStream
        /// Nil: no container has the name.
        var container: ContainerAPI.Inspect?
    }

    enum AttachFailure: Error, Equatable, Sendable {
        case engine(ClientError)
        case api(String)
    }

    private var attachRequests: String { "GET \(ContainerAPI.eventsPath(name)), then GET \(ContainerAPI.inspectPath(name))" }

    /// Opens the event stream first (so nothing that happens next is missed), then inspects the
    /// container. Blocking.
    static func attach(_ client: HTTPClient, _ name: String) -> Result<Attachment, AttachFailure> {
        let events: HTTPClient.OpenStream
        switch client.openStream(path: ContainerAPI.eventsPath(name)) {
        case .failure(let error): return .failure(.engine(error))
        case .success(let opened): events = opened
        }
        guard events.statusCode == 200 else {
            close(events.fileDescriptor)
            return .failure(.api("GET /events answered HTTP \(events.statusCode)"))
        }
        let result = inspect(client, name).map { Attachment(events: events, container: $0) }
        if case .failure = result { close(events.fileDescriptor) }
        return result
    }

    /// `GET /containers/NAME/json`: the container, or nil when no container has the name.
    /// Blocking. The daemon and `check` ask the same way.
    static func inspect(_ client: HTTPClient, _ name: String) -> Result<ContainerAPI.Inspect?, AttachFailure> {
        switch client.send(method: "GET", path: ContainerAPI.inspectPath(name)) {
        case .failure(let error):
            return .failure(.engine(error))
        case .success(let response) where response.statusCode == 404:
            return .success(nil)
        case .success(let response) where response.statusCode == 200:
            guard let inspect = ContainerAPI.decode(ContainerAPI.Inspect.self, response.body) else {
                return .failure(.api("the engine's description of container \(name) is not the JSON expected"))
            }
            return .success(inspect)
        case .success(let response):
            return .failure(.api("inspecting container \(name): \(ContainerAPI.message(response))"))
        }
    }

    private func attached(_ attachment: Attachment, atStart: Bool) {
        startInFlight = false
        retry.cancel()
        socketWatch?.stop()
        socketWatch = nil
        backoff = .milliseconds(250)
        lastProblem = nil
        let stream = EngineStream(attachment.events, queue: queue,
                                  onBody: { [weak self] bytes in self?.eventBytes(bytes) },
                                  onEnd: { [weak self] end in self?.eventsEnded(end) })
        events = stream
        eventLine.removeAll()
        stream.start()
        onEvent(.engineConnected)
        guard let container = attachment.container else {
            lastEnd = 0
            if pid != 0 { runEnded(exitCode: nil) }
            followedRun = nil
            report(.containerMissing, deferred: atStart)
            return
        }
        guard container.isRunning else {
            lastEnd = container.finishedAtNanoseconds ?? 0
            if pid != 0 { runEnded(exitCode: container.state?.exitCode.map(String.init)) }
            followedRun = nil
            report(.containerNotRunning(status: container.state?.status ?? "not running"), deferred: atStart)
            return
        }
        // Running: before this, it ended at FinishedAt (or never ran).
        lastEnd = container.finishedAtNanoseconds ?? 0
        if container.runIdentity == followedRun {
            // The run followed before the engine went away (it kept the container running):
            // followed again where its output was left.
            if logs == nil { requestRun(since: runSince) }
            return
        }
        if atStart {
            followAtStart(container)
        } else {
            requestRun(since: lastEnd)
        }
    }

    /// Said after `start` returns when `deferred` (the daemon's own "waiting for the server"
    /// comes with catching up and would hide it otherwise).
    private func report(_ event: Event, deferred: Bool) {
        guard deferred else { return onEvent(event) }
        let mine = generation
        queue.async { [weak self] in
            guard let self, mine == generation else { return }
            onEvent(event)
        }
    }

    private func attachFailed(_ failure: AttachFailure) {
        let text: String
        var waitForSocket = false
        var longest: Duration = .seconds(5)
        switch failure {
        case .engine(let error):
            text = engine.explain(error)
            if case .unreachable(let code) = error, code == ENOENT || code == ENOTDIR { waitForSocket = true }
            if case .unreachable(let code) = error, code == EACCES || code == EPERM { longest = .seconds(30) }
        case .api(let message):
            text = message
        }
        if text != lastProblem {
            lastProblem = text
            onEvent(.engineUnreachable(text))
        }
        if waitForSocket {
            // Asleep until the socket appears (the engine starts): no polling.
            do {
                let watch = try WatchedFile(path: engine.socketPath, queue: queue, creationIsChange: true) { [weak self] in self?.attachLater() }
                try watch.start()
                socketWatch?.stop()
                socketWatch = watch
                // It may have appeared between the failed connect and the watch.
                if access(engine.socketPath, F_OK) == 0 { attachLater() }
                return
            } catch {
                // No watch (inotify limits): fall back to trying again on a timer.
            }
        }
        let delay = backoff
        backoff = min(backoff * 2, longest)
        retry.schedule(after: delay) { [weak self] in self?.attachLater() }
    }

    private func attachLater() {
        guard !stopped else { return }
        retry.cancel()
        socketWatch?.stop()
        socketWatch = nil
        let client = client, name = name
        onEvent(.trace(attachRequests))
        onWorker({ Self.attach(client, name) }, socket: \.events.fileDescriptor) { result in
            switch result {
            case .success(let attachment): self.attached(attachment, atStart: false)
            case .failure(let failure): self.attachFailed(failure)
            }
        }
    }

    /// Runs `job` on the worker; its result comes back to `then` on the queue, unless a stop or
    /// a newer request came first (the generation moved on): then the socket it opened is closed.
    private func onWorker<Value: Sendable>(_ job: @escaping @Sendable () -> Result<Value, AttachFailure>, socket: @escaping @Sendable (Value) -> Int32,
                                           then: @escaping @Sendable (Result<Value, AttachFailure>) -> Void) {
        generation += 1
        let mine = generation
        worker.run { [weak self] in
            let result = job()
            let discard: @Sendable () -> Void = { if case .success(let value) = result { close(socket(value)) } }
            guard let self else { return discard() }
            queue.async {
                guard mine == self.generation, !self.stopped else { return discard() }
                then(result)
            }
        }
    }

    private func eventsEnded(_ end: EngineStream.End) {
        events = nil
        logs?.stop()
        logs = nil
        if case .malformed(let reason) = end { onEvent(.problem("the engine's event stream broke off: \(reason)")) }
        onEvent(.engineLost)
        lastProblem = nil
        attachLater()
    }

    // MARK: Events

    private func eventBytes(_ bytes: UnsafeRawBufferPointer) {
        var start = 0
        for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
            append(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            if !eventLineTooLong { containerEvent(eventLine) }
            eventLine.removeAll(keepingCapacity: true)
            eventLineTooLong = false
            start = index + 1
        }
        append(UnsafeRawBufferPointer(rebasing: bytes[start...]))
    }

    /// An event is a few hundred bytes; one that is not ends up ignored, unbuffered.
    private func append(_ bytes: UnsafeRawBufferPointer) {
        guard !eventLineTooLong else { return }
        guard eventLine.count + bytes.count <= 64 * 1024 else {
            eventLineTooLong = true
            eventLine.removeAll()
            return
        }
        eventLine += bytes
    }

    private func containerEvent(_ line: [UInt8]) {
        guard let event = ContainerAPI.decode(ContainerAPI.Event.self, line), event.type == nil || event.type == "container" else { return }
        onEvent(.trace("engine event: \(event.action ?? "?")" + (event.exitCode.map { " (exit code \($0))" } ?? "")))
        switch event.action {
        case "start":
            requestRun(since: lastEnd)
        case "die":
            let time = event.timeNano ?? Int64.max
            lastEnd = event.timeNano ?? lastEnd
            died = (event.exitCode, time)
            if !startInFlight && logs == nil {
                died = nil
                runEnded(exitCode: event.exitCode)
            }
        case "create":
            lastEnd = 0
            onEvent(.created)
        case "destroy":
            lastEnd = 0
            followedRun = nil
            onEvent(.removed)
        default:
            break
        }
    }

    // MARK: Runs

    /// Inspects the container and opens its output from `since`, on the worker.
    private func requestRun(since: Int64) {
        startInFlight = true
        let client = client, name = name
        onEvent(.trace("GET \(ContainerAPI.inspectPath(name)), then GET \(ContainerAPI.logsPath(name, follow: true, since: since))"))
        onWorker({ Self.openRun(client, name, since: since) }, socket: \.logs.fileDescriptor) { result in
            self.startInFlight = false
            switch result {
            case .success(let run): self.follow(run.container, since: since, logs: run.logs)
            case .failure(let failure): self.onEvent(.problem(self.describe(failure)))
            }
        }
    }

    struct Run: Sendable {
        var container: ContainerAPI.Inspect
        var logs: HTTPClient.OpenStream
    }

    static func openRun(_ client: HTTPClient, _ name: String, since: Int64) -> Result<Run, AttachFailure> {
        inspect(client, name).flatMap { container in
            // Removed between its start event and this request (the engine's own words).
            guard let container else { return .failure(.api("inspecting container \(name): No such container: \(name)")) }
            return openLogs(client, name, since: since, follow: true).map { Run(container: container, logs: $0) }
        }
    }

    static func openLogs(_ client: HTTPClient, _ name: String, since: Int64, follow: Bool) -> Result<HTTPClient.OpenStream, AttachFailure> {
        switch client.openStream(path: ContainerAPI.logsPath(name, follow: follow, since: since)) {
        case .failure(let error): return .failure(.engine(error))
        case .success(let stream) where stream.statusCode == 200: return .success(stream)
        case .success(let stream):
            close(stream.fileDescriptor)
            return .failure(.api("reading the output of container \(name): the engine answered HTTP \(stream.statusCode)"))
        }
    }

    /// At start-up, a running container: its output so far is read now, in one request that
    /// ends, then followed from the same instant with what the first gave skipped.
    private func followAtStart(_ container: ContainerAPI.Inspect) {
        let client = client
        onEvent(.started(pid: container.pid, alreadyRunning: true, tty: container.hasTTY))
        pid = container.pid
        followedRun = container.runIdentity
        runSince = lastEnd
        onEvent(.trace("GET \(ContainerAPI.logsPath(name, follow: false, since: lastEnd)), then the same with follow=1"))
        var read = 0
        switch Self.openLogs(client, name, since: lastEnd, follow: false) {
        case .failure(let error):
            report(.problem(describe(error)), deferred: true)
        case .success(let stream):
            let (total, failure) = Self.readOutput(stream, client: client, engine: engine, name: name, tty: container.hasTTY) { sink.consume($0) }
            read = total
            if let failure { report(.problem(failure), deferred: true) }
        }
        switch Self.openLogs(client, name, since: lastEnd, follow: true) {
        case .failure(let error):
            report(.problem(describe(error)), deferred: true)
        case .success(let stream):
            runOutputRead = read
            startLogs(stream, tty: container.hasTTY, skipping: read)
        }
    }

    /// Reads a run's output so far from `stream` (a logs request without follow) to its end,
    /// within the client's timeout, handing on each piece of what the server wrote. Blocking.
    /// The daemon at start-up and `check` read it this way.
    /// - Returns: the output bytes read (what the follow request that comes next skips), and
    ///   what went wrong, if anything (what came before it was handed on).
    static func readOutput(_ stream: HTTPClient.OpenStream, client: HTTPClient, engine: DockerEngine, name: String, tty: Bool,
                           _ output: (UnsafeRawBufferPointer) -> Void) -> (total: Int, failure: String?) {
        var decoded = ContainerOutput(tty: tty)
        var failure: String?
        let result = client.readToEnd(stream) { bytes in
            guard failure == nil else { return }
            do throws(ContainerOutput.Failure) {
                try decoded.feed(bytes, output)
            } catch {
                if case .badFrame(let text) = error { failure = badOutput(name, text) }
            }
        }
        if case .failure(let error) = result, failure == nil { failure = "reading the output of container \(name) so far: \(engine.explain(error))" }
        return (decoded.total, failure)
    }

    static func badOutput(_ name: String, _ reason: String) -> String {
        "container \(name)'s output is not what its TTY setting says: \(reason)"
    }

    private func describe(_ failure: AttachFailure) -> String {
        switch failure {
        case .engine(let error): engine.explain(error)
        case .api(let text): text
        }
    }

    /// A run's output, opened from `since`: a new run is said, and the sink told the output
    /// starts over; the run followed already is picked up where it was left.
    private func follow(_ container: ContainerAPI.Inspect, since: Int64, logs stream: HTTPClient.OpenStream) {
        logs?.stop()
        logs = nil
        if container.runIdentity == followedRun && since == runSince {
            startLogs(stream, tty: container.hasTTY, skipping: runOutputRead)
            return
        }
        // A death the engine told before this run started was the previous run's.
        let startedAt = container.startedAtNanoseconds ?? 0
        if let death = died, death.at < startedAt {
            died = nil
            runEnded(exitCode: death.exitCode)
        }
        runEnded(exitCode: nil)
        followedRun = container.runIdentity
        runSince = since
        pid = container.pid
        onEvent(.started(pid: container.pid, alreadyRunning: false, tty: container.hasTTY))
        sink.restart()
        startLogs(stream, tty: container.hasTTY, skipping: 0)
    }

    private func startLogs(_ stream: HTTPClient.OpenStream, tty: Bool, skipping: Int) {
        output = ContainerOutput(tty: tty, skipping: skipping)
        let logs = EngineStream(stream, queue: queue,
                                onBody: { [weak self] bytes in self?.outputBytes(bytes) },
                                onEnd: { [weak self] end in self?.logsEnded(end) })
        self.logs = logs
        logs.start()
    }

    private func outputBytes(_ bytes: UnsafeRawBufferPointer) {
        var failure: ContainerOutput.Failure?
        do throws(ContainerOutput.Failure) { try output.feed(bytes) { sink.consume($0) } } catch { failure = error }
        runOutputRead = output.total
        if case .badFrame(let text) = failure {
            logs?.stop()
            logs = nil
            onEvent(.problem(Self.badOutput(name, text) + "; its output is not followed until it starts again"))
        }
    }

    /// The run's output ended: it stopped (the engine ends a followed log then).
    private func logsEnded(_ end: EngineStream.End) {
        logs = nil
        if case .malformed(let reason) = end { onEvent(.problem("container \(name)'s output broke off: \(reason)")) }
        if !output.engineError.isEmpty { onEvent(.problem("the engine says: \(output.engineError.withUnsafeBytes(ReportText.shownLine))")) }
        if let death = died {
            died = nil
            runEnded(exitCode: death.exitCode)
        }
    }

    /// The followed run is over: said once.
    private func runEnded(exitCode: String?) {
        guard pid != 0 else { return }
        let ended = pid
        pid = 0
        onEvent(.exited(pid: ended, exitCode: exitCode))
    }
}
