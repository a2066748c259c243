import AlipaySign
import CLibXML2
import Testing

/// The library leaves no per-thread state behind in its host: libxml2's structured error handler, which it
/// replaces while it parses an XML response, is the host's again afterwards.
@Suite struct HostStateTests {
    @Test func xmlErrorHandlerIsRestored() throws {
        let marker = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
        defer { marker.deallocate() }
        let handler: xmlStructuredErrorFunc = { _, _ in }
        xmlSetStructuredErrorFunc(marker, handler)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        let body = Array(#"<?xml version="1.0" encoding="utf-8"?><alipay><alipay_trade_query_response><code>10000</code></alipay_trade_query_response><sign>AAAA</sign></alipay>"#.utf8)
        _ = try ResponseExtractor.extract(body, method: "alipay.trade.query", format: .xml)
        // A body that is not well-formed goes through libxml2's error path too.
        #expect(throws: AlipaySignError.self) {
            try ResponseExtractor.extract(Array("<alipay><a></alipay>".utf8), method: "alipay.trade.query", format: .xml)
        }
        #expect(__xmlStructuredErrorContext()?.pointee == marker)
        #expect(__xmlStructuredError()?.pointee != nil)
    }
}
