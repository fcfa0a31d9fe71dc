#if canImport(Glibc)
import Glibc
#endif

/// Reads a fuzzer's input as a few control bytes followed by data: the control bytes pick
/// options (a pattern, a line limit, how to cut the data into chunks) so one input explores both.
public struct FuzzInput {
    public private(set) var bytes: [UInt8]

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    }

    /// The next byte (0 once the input is used up).
    public mutating func byte() -> UInt8 {
        guard !bytes.isEmpty else { return 0 }
        return bytes.removeFirst()
    }

    /// Everything not read yet.
    public var rest: [UInt8] { bytes }

    /// The rest, cut at the first NUL: (before, after).
    public var twoParts: ([UInt8], [UInt8]) {
        guard let zero = bytes.firstIndex(of: 0) else { return (bytes, []) }
        return (Array(bytes[..<zero]), Array(bytes[(zero + 1)...]))
    }
}

/// A cheap deterministic sequence from one seed byte (chunk sizes and the like).
public struct Sequence8 {
    private var state: UInt32
    public init(_ seed: UInt8) { state = UInt32(seed) &* 2_654_435_761 &+ 1 }
    public mutating func next(below bound: Int) -> Int {
        state = state &* 1_103_515_245 &+ 12345
        return Int((state >> 8) % UInt32(max(bound, 1)))
    }
}

/// An oracle failure: crash, so libFuzzer keeps the input and the run fails.
public func expect(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("oracle mismatch: \(message())") }
}

/// libFuzzer's driver, for a `main` of our own: SwiftPM gives every executable its own entry
/// point, from which `runFuzzer` starts it with the process's arguments.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

nonisolated(unsafe) private var target: (FuzzInput) -> Void = { _ in fatalError("runFuzzer was not called") }

/// libFuzzer's entry point (its own tools look for this name); calls the target given to `runFuzzer`.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target(FuzzInput(data, size))
    return 0
}

/// Runs libFuzzer on `body` with the process's arguments; exits with its status.
public func runFuzzer(_ body: @escaping (FuzzInput) -> Void) -> Never {
    target = body
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in testOneInput(data, size) })
}
