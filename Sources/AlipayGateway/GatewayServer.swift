import AlipaySign
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The local gateway: a Hummingbird 2 server that plays Alipay's `gateway.do` for SDK clients, and notifies
/// merchants' endpoints as Alipay does.
public struct Gateway: Sendable {
    let v2: V2Gateway
    /// `nil` when the gateway runs SM2: v3 is signed with RSA2 only (docs/PROTOCOL.md §10).
    let v3: V3Gateway?
    let recorder: Recorder?
    let logger: Logger
    let maximumBodySize: Int
    let idleTimeout: Duration
    let bodyTimeout: Duration

    /// - Parameters:
    ///   - configuration: keys, faults and the rest, parsed once.
    ///   - logger: one line per exchange, with the full diagnosis of any failure.
    /// - Throws: when the recording cannot be opened or a key cannot be used.
    public init(configuration: GatewayConfiguration, logger: Logger) throws {
        let recorder = try configuration.recordPath.map { try Recorder(path: $0) }
        let notifier = try Notifier(configuration: configuration, recorder: recorder, logger: logger)
        let trades = TradeStore()
        self.v2 = try V2Gateway(configuration: configuration, trades: trades, notifier: notifier, logger: logger)
        self.v3 = configuration.signType == .sm2 ? nil : try V3Gateway(configuration: configuration, trades: trades)
        self.recorder = recorder
        self.logger = logger
        self.maximumBodySize = configuration.maximumBodySize
        self.idleTimeout = configuration.idleTimeout
        self.bodyTimeout = configuration.bodyTimeout
    }

    /// The routes: `GET|POST /gateway.do` and `POST /sandbox/pay?out_trade_no=…`.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let gateway = self
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await gateway.gatewayDo(request)
        }
        router.get("/gateway.do", use: handler)
        router.post("/gateway.do", use: handler)
        let v3Handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await gateway.v3Do(request)
        }
        router.get("/v3/**", use: v3Handler)
        router.post("/v3/**", use: v3Handler)
        router.delete("/v3/**", use: v3Handler)
        router.put("/v3/**", use: v3Handler)
        router.patch("/v3/**", use: v3Handler)
        router.post("/sandbox/pay") { request, _ -> Response in
            guard let outTradeNo = request.uri.queryParameters.get("out_trade_no"),
                let paid = await gateway.v2.settle(outTradeNo: outTradeNo)
            else {
                return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "no trade waiting to be paid\n")))
            }
            gateway.logger.info("sandbox: \(paid.outTradeNo) paid by the buyer")
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "paid \(paid.outTradeNo)\n")))
        }
        return router
    }

    func gatewayDo(_ request: Request) async throws -> Response {
        try await serve(request) { query, body in
            await v2.handle(query: query, body: body, contentType: request.headers[.contentType])
        }
    }

    func v3Do(_ request: Request) async throws -> Response {
        let headers = request.headers
        guard let v3 else {
            return try await serve(request) { _, _ in
                (GatewayAnswer(
                    status: 400, contentType: "application/json;charset=utf-8",
                    body: Array(#"{"code":"invalid-parameter","message":"v3 is signed with RSA2 only; this gateway runs sign type SM2","links":[]}"#.utf8)),
                 "v3 request to an SM2 gateway")
            }
        }
        return try await serve(request) { query, body in
            await v3.handle(
                method: request.method.rawValue, path: request.uri.path, query: query,
                headers: { name in HTTPField.Name(name).flatMap { headers[$0] } }, body: body)
        }
    }

    /// What every route of the gateway does around its handler: reads the body (413 over the limit), logs one
    /// line, records the exchange, and writes the answer.
    func serve(_ incoming: Request, _ handle: (_ query: String, _ body: [UInt8]) async -> (GatewayAnswer, String))
        async throws -> Response
    {
        let request = incoming
        let started = Date()
        // The body, up to the size limit and within bodyTimeout of its head: a body sent a byte at a time is cut off
        // when a part arrives late, and one that stops arriving is closed by the idle timeout. No timer per request.
        let deadline = ContinuousClock.now.advanced(by: bodyTimeout)
        var buffer = ByteBuffer()
        for try await part in request.body {
            guard buffer.readableBytes + part.readableBytes <= maximumBodySize else {
                throw HTTPError(.contentTooLarge)
            }
            buffer.writeImmutableBuffer(part)
            guard ContinuousClock.now <= deadline else {
                throw HTTPError(.requestTimeout, headers: [.connection: "close"], message: "the request body did not arrive in time\n")
            }
        }
        let body = Array(buffer.readableBytesView)
        let query = request.uri.query ?? ""
        let (answer, reason) = await handle(query, body)
        let method = request.method.rawValue
        logger.info("\(method) \(request.uri.path): \(answer.status) \(reason)")
        let responseHeaders = [("Content-Type", answer.contentType)] + answer.headers
        if let recorder {
            var requestHeaders: [(String, String)] = []
            for field in request.headers { requestHeaders.append((field.name.rawName, field.value)) }
            await recorder.record(
                time: started, method: method,
                url: "http://gateway.local" + request.uri.path + (query.isEmpty ? "" : "?" + query),
                request: .init(headers: requestHeaders, body: body), status: answer.status,
                response: .init(headers: responseHeaders, body: answer.body))
        }
        var fields = HTTPFields()
        for (name, value) in responseHeaders { if let n = HTTPField.Name(name) { fields[n] = value } }
        return Response(
            status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// Serves until SIGINT or SIGTERM, printing `listening on http://HOST:PORT` once connections are accepted.
    /// - Parameters:
    ///   - host: the address to bind.
    ///   - port: the port; 0 picks a free one, which is printed.
    /// - Throws: when the address cannot be bound.
    public func run(host: String, port: Int) async throws {
        try await application(host: host, port: port) { bound in
            print("listening on http://\(host):\(bound)")
            fflush(nil)
        }.runService()
    }

    /// The server: the routes, the idle timeout, the address.
    func application(host: String, port: Int, onServerRunning: @escaping @Sendable (Int) -> Void = { _ in })
        -> some ApplicationProtocol
    {
        Application(
            router: router(),
            server: .http1(configuration: .init(
                idleTimeout: .nanoseconds(idleTimeout.components.seconds * 1_000_000_000 + idleTimeout.components.attoseconds / 1_000_000_000))),
            configuration: .init(address: .hostname(host, port: port), serverName: "alipay-sign-gateway"),
            onServerRunning: { channel in onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
