/// A container's output as `GET /containers/NAME/logs` sends it, turned into the bytes the
/// server wrote: raw when the container has a TTY (alt:V's compose file sets `tty: true`),
/// multiplexed frames without one (`DockerLogFrames`; stdout and stderr both count, as in a
/// terminal).
///
/// `skipping` drops the first bytes of output: at start-up the daemon reads the run's output
/// up to now in one request and then follows it from the same instant in another, whose
/// beginning repeats what the first gave (the engine sends both from the same log).
struct ContainerOutput {
    enum Failure: Error, Equatable { case badFrame(String) }

    private var frames: DockerLogFrames?
    private var skipping: Int
    /// Output bytes handed on (after the skipped ones).
    private(set) var delivered = 0
    /// Output bytes seen (skipped ones included).
    private(set) var total = 0
    /// What the engine said about itself in the stream (frame type 3), if anything.
    private(set) var engineError: [UInt8] = []

    init(tty: Bool, skipping: Int = 0) {
        frames = tty ? nil : DockerLogFrames()
        self.skipping = skipping
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ output: (UnsafeRawBufferPointer) -> Void) throws(Failure) {
        guard var decoder = frames else {
            pass(bytes, output)
            return
        }
        var failure: DockerLogFrames.Failure?
        do throws(DockerLogFrames.Failure) {
            try decoder.feed(bytes) { stream, payload in
                if stream == .engineError {
                    if engineError.count < 512 { engineError += payload.prefix(512 - engineError.count) }
                } else {
                    pass(payload, output)
                }
            }
        } catch {
            failure = error
        }
        frames = decoder
        if let failure { throw .badFrame(failure.description) }
    }

    private mutating func pass(_ bytes: UnsafeRawBufferPointer, _ output: (UnsafeRawBufferPointer) -> Void) {
        total += bytes.count
        let skipped = min(skipping, bytes.count)
        skipping -= skipped
        guard skipped < bytes.count else { return }
        delivered += bytes.count - skipped
        output(UnsafeRawBufferPointer(rebasing: bytes[skipped...]))
    }
}
