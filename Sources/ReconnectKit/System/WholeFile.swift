import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a file whole: the configuration, the password, the program copied by `install`.
public enum WholeFile {
    /// The file's bytes. Throws `SystemError` (EFBIG when it holds more than `maximumSize`).
    /// The read buffer is zeroed afterwards: the file may be a secret.
    public static func read(_ path: String, maximumSize: Int = .max) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        defer { for index in chunk.indices { chunk[index] = 0 } }
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw SystemError(operation: "read", path: path, errno: errno) }
            if count == 0 { return bytes }
            guard bytes.count + count <= maximumSize else { throw SystemError(operation: "read", path: path, errno: EFBIG) }
            bytes += chunk[0..<count]
        }
    }

    /// At most the last `maximumSize` bytes of a file (a log read by `check`): from where a
    /// line starts, so that the first line is whole.
    public static func readTail(_ path: String, maximumSize: Int) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw SystemError(operation: "fstat", path: path, errno: errno) }
        let start = max(0, Int(status.st_size) - maximumSize)
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size) - start)
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(start + done)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            done += count
        }
        bytes.removeLast(bytes.count - done)
        if start > 0, let newline = bytes.firstIndex(of: 0x0A) { bytes.removeFirst(newline + 1) }
        return bytes
    }
}
