/// One HTTP answer: the status code and a body no larger than the client's `responseLimit`.
public struct HTTPResponse: Sendable, Equatable {
    public var statusCode: Int
    public var body: [UInt8]

    public init(statusCode: Int, body: [UInt8]) {
        self.statusCode = statusCode
        self.body = body
    }
}
