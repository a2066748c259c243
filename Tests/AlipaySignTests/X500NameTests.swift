import Testing
import VectorSupport

@testable import AlipaySign

/// Name equality, which builds certificate chains (an issuer is found by its subject name), against the JDK's
/// `X500Principal.equals` over the pairs of vectors/certificates/name-equality.json (NameEquality.java), and each
/// name's RFC 2253 text against `getName()`.
struct X500NameTests {
    struct File: Decodable {
        let source: String
        let pairs: [Pair]
    }

    struct Pair: Decodable {
        let note: String
        let a: String
        let b: String
        let a_name: String
        let b_name: String
        let equal: Bool
    }

    static let pairs = (try? Vectors.load(File.self, "certificates/name-equality.json").pairs) ?? []

    /// Where the JDK's verdict comes from Unicode compatibility decomposition (NFKD), which this library does not
    /// apply (see ``X500PrincipalName``): equal for the JDK, not here.
    static let compatibilityOnly: Set = ["an ideographic space", "superscript two: equal only under NFKD"]

    static func name(_ hex: String) throws -> X500PrincipalName {
        let der = [UInt8](hex: hex)
        let reader = DERReader(der)
        var first = reader
        let next = first.next()
        let element = try #require(next)
        return try #require(X500PrincipalName(reader, element))
    }

    @Test func vectorsAreThere() {
        #expect(Self.pairs.count >= 30)
    }

    @Test(arguments: pairs)
    func equalityAsTheJDK(_ pair: Pair) throws {
        let a = try Self.name(pair.a), b = try Self.name(pair.b)
        #expect(a.rfc2253 == pair.a_name, "\(pair.note)")
        #expect(b.rfc2253 == pair.b_name, "\(pair.note)")
        #expect(a.der == [UInt8](hex: pair.a) && b.der == [UInt8](hex: pair.b))
        if Self.compatibilityOnly.contains(pair.note) {
            #expect(pair.equal && a != b, "\(pair.note): the documented difference changed")
            return
        }
        #expect((a == b) == pair.equal, "\(pair.note): \(pair.a_name) | \(pair.b_name)")
        if pair.equal { #expect(a.hashValue == b.hashValue, "\(pair.note)") }
        // Equality is the same in both directions and with itself.
        #expect((b == a) == (a == b))
        #expect(a == a && b == b)
    }

    /// The RDNs, as `getName()` writes them, read back from the attributes kept in one array.
    @Test func rdnsKeepTheirGrouping() throws {
        let pair = try #require(Self.pairs.first { $0.note == "one multi-valued RDN and two RDNs" })
        let multi = try Self.name(pair.a), single = try Self.name(pair.b)
        #expect(multi.rdns.map(\.count) == [1, 2])  // O=c, then CN=a+OU=b (DER order)
        #expect(single.rdns.map(\.count) == [1, 1, 1])
        #expect(multi.rdns[1].map(\.oid) == ["2.5.4.3", "2.5.4.11"])
    }
}

extension X500NameTests.Pair: CustomTestStringConvertible {
    var testDescription: String { note }
}
