@_spi(AlipaySignTools) import AlipaySign
import Foundation

/// Appends every exchange to a JSON Lines file in the capture schema `alipay-sign check` reads (one exchange a
/// line: `time`, `request` and `response`, each with `method`/`url` or `status`, `headers`, `body` and
/// `encoding`), so that `check` over a recording gives the verdicts the gateway gave.
actor Recorder {
    private let handle: FileHandle

    init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw AlipaySignErrorText("cannot create the recording \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw AlipaySignErrorText("cannot open the recording \(path) for writing")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    struct Message {
        var headers: [(String, String)]
        var body: [UInt8]
    }

    func record(
        time: Date, method: String, url: String, request: Message, status: Int, response: Message?
    ) {
        var line = JSONObject()
        line.add("time", ISO8601DateFormatter().string(from: time))
        var req = JSONObject()
        req.add("method", method)
        req.add("url", url)
        req.addRaw("headers", Self.headers(request.headers))
        Self.addBody(request.body, to: &req)
        line.addRaw("request", req.json)
        if let response {
            var res = JSONObject()
            res.addRaw("status", String(status))
            res.addRaw("headers", Self.headers(response.headers))
            Self.addBody(response.body, to: &res)
            line.addRaw("response", res.json)
        }
        handle.write(Data((line.json + "\n").utf8))
    }

    /// Headers as a JSON array of `{"name","value"}` (order and repeats kept).
    static func headers(_ headers: [(String, String)]) -> String {
        "[" + headers.map { h in
            var o = JSONObject()
            o.add("name", h.0)
            o.add("value", h.1)
            return o.json
        }.joined(separator: ",") + "]"
    }

    /// A body as UTF-8 text when it is, else base64 (GBK bodies).
    static func addBody(_ body: [UInt8], to object: inout JSONObject) {
        if let text = String(validating: body, as: UTF8.self) {
            object.add("body", text)
            object.add("encoding", "utf8")
        } else {
            object.add("body", Data(body).base64EncodedString())
            object.add("encoding", "base64")
        }
    }
}

/// A start-up error of the gateway, said in a sentence.
struct AlipaySignErrorText: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
