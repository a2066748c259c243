import AlipaySign
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks of an asynchronous notification to the merchant: its signature under Alipay's key (V1, then V2), and
/// the merchant's acknowledgement (Alipay resends until it reads `success`).
struct NotificationChecks {
    let checker: Checker
    let exchange: Exchange

    func run(into f: inout [Finding]) {
        let parsed: (parameters: [String: String], charset: Charset)
        do {
            let body = Checker.reencoded(exchange.request, charset: .utf8, what: "notification", into: &f)
            parsed = try FormBody.decode(body)
        } catch let error as AlipaySignError {
            f.append(Finding("notify.form", .error, "the notification body cannot be decoded: \(error.reason)", hint: error.hint))
            return
        } catch { return }
        let p = parsed.parameters
        if p["sign"] == nil { f.append(Finding("notify.signature", .error, "the notification has no sign")) }
        let signType = checker.configuration.signType(named: p["sign_type"], id: "notify.sign_type", into: &f)
        if signType == .legacyRSA {
            f.append(Finding("notify.sign_type", .warning, "sign_type RSA is SHA1withRSA, a legacy algorithm", value: "RSA"))
        }
        if p["sign"] != nil, !checker.alipayKeys.isEmpty {
            var verified = false
            var first: (NotificationVerifier, NotificationFailure)?
            for key in checker.alipayKeys {
                guard let v = checker.notificationVerifier(key.publicKey, signType: signType, charset: parsed.charset)?.verifier,
                    let result = try? v.verify(parameters: p, charset: parsed.charset)
                else { continue }
                switch result {
                case .valid: verified = true
                case .invalid(let why): if first == nil { first = (v, why) }
                }
                if verified { break }
            }
            if !verified, let (verifier, why) = first {
                // The first key, then the others (every certificate), then the app's.
                let others = Array(checker.alipayKeys.dropFirst()) + checker.appKeys
                let diagnosis = try? verifier.diagnose(parameters: p, charset: parsed.charset, otherKeys: others)
                f.append(Finding(
                    "notify.signature", .error, "the notification's sign does not verify under Alipay's key (V1 nor V2)",
                    value: String(decoding: why.content, as: UTF8.self),
                    hint: diagnosis.map { "it verifies with: \(DiagnosisText.describe($0))" }
                        ?? "no known variant verifies: forged, altered, or another key"))
            }
        }
        if let response = exchange.response, exchange.status > 0 {
            let text = String(decoding: response.body, as: UTF8.self).trimmingASCIIWhitespace()
            if text != "success" {
                f.append(Finding(
                    "notify.ack", .warning, "the merchant answered '\(text.prefix(40))', not 'success'",
                    value: String(text.prefix(80)), hint: "Alipay resends the notification until it reads exactly success"))
            }
        }
    }
}
