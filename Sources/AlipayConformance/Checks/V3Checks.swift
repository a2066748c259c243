@_spi(AlipaySignTools) import AlipaySign
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks of a v3 exchange: the Authorization header and its signature, the timestamp, the response headers and
/// signature, the error body, per-API rules.
struct V3Checks {
    let checker: Checker
    let exchange: Exchange

    func run(into f: inout [Finding]) {
        let token = exchange.request.header("alipay-app-auth-token")
        if let header = exchange.request.header("authorization") {
            do {
                let authorization = try V3Authorization(parsing: header)
                if authorization.signature == nil {
                    f.append(Finding("v3.request.authorization", .error, "the Authorization header has no sign field"))
                }
                if authorization.hasSpaceAfterComma {
                    f.append(Finding(
                        "v3.request.authorization", .warning,
                        "the Authorization header has white space after a comma, which the SDKs never write",
                        value: authorization.authString,
                        hint: "the auth string is verified as sent, spaces included: sign exactly what is sent"))
                }
                if let ms = authorization.timestamp, let captured = exchange.startedAt {
                    let skew = Double(ms) / 1000 - captured.timeIntervalSince1970
                    if !(abs(skew) <= checker.configuration.timestampWindow) {  // a NaN window flags, never passes
                        f.append(Finding(
                            "v3.request.timestamp", .error, "the timestamp is \(Int(abs(skew))) s from the capture time",
                            value: String(ms), hint: "v3 timestamps are Unix milliseconds (UTC)"))
                    }
                }
                if let expected = checker.configuration.appCertSN, let sn = authorization.appCertSN, sn != expected {
                    f.append(Finding("v3.request.authorization", .error, "app_cert_sn is not the app certificate's SN (\(expected))", value: sn))
                }
                if authorization.signature != nil, let verifier = try checker.v3RequestVerifier()?.verifier {
                    let r = try verifier.verify(
                        authorization: header, method: exchange.method, requestURI: exchange.requestURI,
                        body: exchange.request.body, appAuthToken: token)
                    if case .invalid(let failure) = r {
                        f.append(Finding(
                            "v3.request.signature", .error, "the Authorization sign does not verify under the app's public key",
                            value: String(decoding: failure.content, as: UTF8.self),
                            hint: failure.diagnosis?.explanation
                                ?? "no single-line change explains it: the body, a query value, the header or the key differ"))
                    }
                }
            } catch let error as AlipaySignError {
                f.append(Finding("v3.request.authorization", .error, error.reason, value: header, hint: error.hint))
            } catch {}
        } else {
            f.append(Finding("v3.request.authorization", .error, "the request has no Authorization header"))
        }
        if let findings = checker.configuration.rules.requestFindings(
            v3Method: exchange.method, path: exchange.path, query: exchange.query, body: exchange.request.body,
            encrypted: exchange.request.header("alipay-encrypt-type") != nil)
        {
            f += findings
        }
        guard let response = exchange.response, exchange.status > 0 else { return }
        let verifier: V3ResponseVerifier
        do {
            guard let cached = try checker.v3ResponseVerifier() else {
                if exchange.status >= 400, let e = V3ResponseVerifier.ErrorBody(response.body) {
                    f.append(Finding("v3.response.error", .info, "\(exchange.status) \(e.code): \(e.message ?? "")", value: e.links.first?.link))
                }
                return
            }
            verifier = cached.verifier
        } catch { return }
        let headers = V3ResponseVerifier.Headers(
            timestamp: response.header("alipay-timestamp"), nonce: response.header("alipay-nonce"),
            signature: response.header("alipay-signature"), sn: response.header("alipay-sn"),
            encrypted: response.header("alipay-encrypt-type")?.uppercased() == "AES")
        do {
            let r = try verifier.verify(statusCode: exchange.status, headers: headers, body: response.body)
            let errorBody: V3ResponseVerifier.ErrorBody?
            switch r {
            case .valid(let v): errorBody = v.error
            case .invalid(let u):
                errorBody = u.error
                f.append(Finding(
                    "v3.response.signature", .error, "alipay-signature does not verify over timestamp, nonce and body",
                    value: String(decoding: u.unverifiedContent ?? [], as: UTF8.self),
                    hint: "the body may have been altered or re-serialised"))
            case .missingHeaders(let u):
                errorBody = u.error
                f.append(Finding("v3.response.headers", .error, r.notes.first ?? "signature headers missing"))
            case .unsignedError(let u):
                errorBody = u.error
                f.append(Finding("v3.response.signature", .info, r.notes.first ?? "an unsigned error response"))
            }
            if let e = errorBody {
                f.append(Finding("v3.response.error", .info, "\(exchange.status) \(e.code): \(e.message ?? "")", value: e.links.first?.link))
            }
            switch r.certificateSNRemark {
            case .differsFromGiven(let named, let given)?:
                f.append(Finding(
                    "v3.response.headers", .warning, "the response's alipay-sn is \(named), but the certificate given is \(given)"))
            case .absentFirstUsed(let sn)?:
                f.append(Finding(
                    "v3.response.headers", .warning, "no alipay-sn header: verified with the first certificate, \(sn)"))
            case nil: break
            }
        } catch let error as AlipaySignError {
            f.append(Finding("v3.response.signature", .error, error.reason, hint: error.hint))
        } catch {}
    }
}
