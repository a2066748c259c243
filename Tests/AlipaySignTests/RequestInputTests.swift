@_spi(AlipaySignTools) import AlipaySign
import Foundation
import Testing
import VectorSupport

/// `RequestInput`'s HTML reading: the form the Java SDK's `WebUtils.buildForm` writes (the protocol parameters in
/// the action's query, the others as hidden inputs whose raw values escape only `"` as `&quot;`), and character
/// references decoded as the HTML standard's attribute-value state does. Expected values written by hand.
@Suite struct RequestInputTests {
    @Test func javaPageExecuteFormVerifies() throws {
        let key = try PrivateKey(parsing: Vectors.bytes("alipay/keys/rsa2048-pkcs8.pem"))
        let biz = #"{"out_trade_no":"J-1","subject":"咖啡 & \"tea\" <b>","total_amount":"1.00","product_code":"FAST_INSTANT_TRADE_PAY"}"#
        let signed = try Signer(privateKey: key).signRequest([
            "app_id": "2021000000000001", "method": "alipay.trade.page.pay", "charset": "utf-8", "sign_type": "RSA2",
            "timestamp": "2026-11-30 10:00:00", "version": "1.0", "biz_content": biz, "return_url": "https://m.example/r?a=1&b=2",
        ])
        let inputs = try FormBody.decode(Array(signed.formBody.utf8)).parameters.sorted { $0.key < $1.key }.map { name, value in
            "<input type=\"hidden\" name=\"\(name)\" value=\"\(value.replacingOccurrences(of: "\"", with: "&quot;"))\">\n"
        }.joined()
        let html = "<form name=\"punchout_form\" method=\"post\" action=\"https://openapi.alipay.com/gateway.do?\(signed.query)\">\n"
            + inputs + "<input type=\"submit\" value=\"立即支付\" style=\"display:none\" >\n</form>\n<script>document.forms[0].submit();</script>"
        let input = try RequestInput(reading: Array(html.utf8))
        #expect(input.shape == .htmlForm)
        #expect(input.parameters["biz_content"] == biz)
        #expect(input.parameters["return_url"] == "https://m.example/r?a=1&b=2")
        let verifier = try RequestVerifier(publicKey: PublicKey(parsing: Vectors.bytes("alipay/keys/rsa2048-spki.pem")))
        #expect(try verifier.verify(input).isValid)
    }

    @Test func characterReferencesAsABrowserDecodesThem() throws {
        let html = #"<form action="/gateway.do?a=1&amp;b=2"><input name="x" value="&quot;&amp;&lt;&gt;&#34;&#x22;&#X4E2D;&unknown;&amp &"><input name='y' value='single &apos;'><input name=z value=bare></form>"#
        let input = try RequestInput(reading: Array(html.utf8))
        #expect(input.parameters["a"] == "1" && input.parameters["b"] == "2")
        #expect(input.parameters["x"] == #""&<>""中&unknown;&amp &"#)
        #expect(input.parameters["y"] == "single '")
        #expect(input.parameters["z"] == "bare")
    }

    @Test func markupAsPythonsHTMLParserReadsIt() throws {
        // Upper-case names, a comment and a script holding inputs (not read), an unquoted value ending in '/',
        // an attribute without a value, an empty value. Expected values: Python 3's html.parser over the same text
        // (form action '/gateway.do?charset=utf-8&method=m'; inputs biz, n = 'v/', e = '').
        let html = #"<!-- <input name="c" value="comment"> --><FORM Action="/gateway.do?charset=utf-8&amp;method=m"><INPUT TYPE="hidden" NAME="biz" VALUE='{"subject":"中文 &lt;b&gt;"}' /><script>var s = '<input name="fake" value="1">';</SCRIPT><input disabled name=n value=v/><input name="e" value=""></form>"#
        let input = try RequestInput(reading: Array(html.utf8))
        #expect(input.shape == .htmlForm)
        #expect(input.parameters == [
            "charset": "utf-8", "method": "m", "biz": #"{"subject":"中文 <b>"}"#, "n": "v/", "e": "",
        ])
    }

    @Test func notEncodedValuesAreReadRawWithTheirJSONWhole() throws {
        let raw = #"app_id=1&biz_content={"subject":"a+b&c=d 100%"}&sign=AB+/=="#
        let input = try RequestInput(reading: Array(raw.utf8))
        #expect(input.decodingError != nil)  // a raw '%' is not a percent-escape
        #expect(input.unencodedParameters?["biz_content"] == #"{"subject":"a+b&c=d 100%"}"#)
        #expect(input.unencodedParameters?["sign"] == "AB+/==")
    }
}
