import javax.security.auth.x500.X500Principal;
import java.util.*;

/**
 * Name-equality vectors: pairs of X.500 names (as DER) and whether the JDK's X500Principal.equals says they are
 * equal, with getName() of each: the rules certificate chains are built with (an issuer found by its subject).
 * Names are written in RFC 2253 here (values as #hex where the DER string type matters) and recorded as the DER the
 * JDK encodes them to. Run from this folder: java NameEquality.java > name-equality.json
 */
public class NameEquality {
    static String hex(byte[] b) { StringBuilder s = new StringBuilder(); for (byte x : b) s.append(String.format("%02x", x)); return s.toString(); }
    static String q(String s) {
        StringBuilder o = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') o.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) o.append(String.format("\\u%04x", (int) c));
            else o.append(c);
        }
        return o.append('"').toString();
    }
    /** A DER string of the given tag holding the UTF-8 (or, for BMPString, UTF-16BE) bytes of s, as #hex. */
    static String v(int tag, String s) {
        byte[] b = tag == 0x1e ? s.getBytes(java.nio.charset.StandardCharsets.UTF_16BE) : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return "#" + String.format("%02x%02x", tag, b.length) + hex(b);
    }
    /** A name from RFC 2253 text, or from DER given as "der:HEX" (the JDK's encoder sorts a SET's members; a
     *  certificate's DER need not). */
    static X500Principal principal(String spec) {
        if (spec.startsWith("der:")) return new X500Principal(java.util.HexFormat.of().parseHex(spec.substring(4)));
        return new X500Principal(new X500Principal(spec).getEncoded());
    }

    /** The DER a name was read from. */
    static String der(String spec) {
        return spec.startsWith("der:") ? spec.substring(4) : hex(new X500Principal(spec).getEncoded());
    }

    public static void main(String[] args) {
        String[][] pairs = {
            {"CN=Alipay,O=Ant Group,C=CN", "CN=alipay,O=ANT GROUP,C=cn", "case"},
            {"CN=" + v(0x0c, "a  b"), "CN=a b", "an inner run of spaces"},
            {"CN=" + v(0x0c, "a\tb"), "CN=a b", "a tab"},
            {"CN=" + v(0x0c, " a "), "CN=a", "leading and trailing spaces"},
            {"CN=" + v(0x13, "abc"), "CN=" + v(0x0c, "abc"), "PrintableString and UTF8String"},
            {"CN=" + v(0x16, "abc"), "CN=" + v(0x0c, "abc"), "IA5String and UTF8String"},
            {"CN=" + v(0x1e, "abc"), "CN=" + v(0x0c, "abc"), "BMPString and UTF8String"},
            {"CN=" + v(0x16, "abc"), "CN=" + v(0x16, "ABC"), "IA5String compared exactly"},
            {"CN=a+OU=b,O=c", "OU=b+CN=a,O=c", "a multi-valued RDN in another order"},
            {"CN=a+OU=b,O=c", "der:3022310a3008060355040a13016331143008060355040b1301623008060355040313016" + "1",
             "a multi-valued RDN's members in another DER order"},
            {"CN=a+OU=b,O=c", "CN=a,OU=b,O=c", "one multi-valued RDN and two RDNs"},
            {"CN=a\\,O=b", "CN=a,O=b", "a comma in a value and two RDNs"},
            {"CN=a\\+OU=b", "CN=a+OU=b", "a plus in a value and a multi-valued RDN"},
            {"CN=a\\\\,O=b", "CN=a\\\\\\,O=b", "a backslash at the end of a value"},
            {"CN=" + v(0x0c, "a\\,2.5.4.10=b"), "CN=a\\\\,O=b", "an escaped comma spelled out in a value"},
            {"CN=支付宝,O=蚂蚁", "CN=支付宝,O=蚂蚁", "Chinese"},
            {"CN=\u00c9cole", "CN=\u00e9COLE", "non-ASCII case"},
            {"CN=\u00e9", "CN=" + v(0x0c, "e\u0301"), "composed and decomposed"},
            {"CN=\u00e9\u4e2d", "CN=\u00e8\u4e2d", "different non-ASCII values"},
            {"CN=a,O=b", "CN=a,O=b,C=CN", "an RDN more"},
            {"CN=a,O=b", "O=b,CN=a", "RDNs in another order"},
            {"CN=a", "OU=a", "another attribute type"},
            {"EMAILADDRESS=a@b.c,CN=x", "EMAILADDRESS=A@B.C,CN=x", "emailAddress (IA5String): exact"},
            {"CN=" + v(0x0c, "a\u3000b"), "CN=a b", "an ideographic space"},
            {"CN=" + v(0x0c, "a \u00e9"), "CN=" + v(0x0c, "a  \u00c9"), "non-ASCII with a run of spaces"},
            {"DC=com,DC=example,CN=a", "DC=COM,DC=example,CN=A", "DC values (IA5String)"},
            {"1.2.3.4=#0403616263,CN=a", "1.2.3.4=#0403616263,CN=A", "an OCTET STRING value"},
            {"CN=", "CN=" + v(0x0c, " "), "empty and a space"},
            {"SERIALNUMBER=abc,CN=x", "SERIALNUMBER=ABC,CN=x", "serialNumber (no RFC 2253 keyword): compared as DER"},
            {"CN=" + v(0x0c, "a \t b"), "CN=a b", "a tab between spaces"},
            {"CN=" + v(0x0c, "\ta\t"), "CN=a", "leading and trailing tabs"},
            {"CN=" + v(0x0c, "stra\u00dfe"), "CN=STRASSE", "sharp s: full case mapping"},
            {"CN=" + v(0x0c, "\ufb01"), "CN=FI", "a ligature: upper case maps it to FI"},
            {"CN=" + v(0x0c, "x\u00b2"), "CN=x2", "superscript two: equal only under NFKD"},
            {"CN=" + v(0x0c, "a,b"), "CN=" + v(0x0c, "a\\,b"), "a comma and a backslash before it"},
            {"CN=" + v(0x0c, "#a"), "CN=\\#A", "a leading hash"},
        };
        StringBuilder out = new StringBuilder("{\n  \"source\": \"NameEquality.java: javax.security.auth.x500.X500Principal (equals, getName, getEncoded), " + System.getProperty("java.vendor") + " " + System.getProperty("java.version") + "\",\n  \"pairs\": [\n");
        for (int i = 0; i < pairs.length; i++) {
            // Read back from their DER, as a certificate's names are (the DER sorts a multi-valued RDN's members).
            X500Principal a = principal(pairs[i][0]), b = principal(pairs[i][1]);
            out.append("    {\"note\": ").append(q(pairs[i][2]))
               .append(", \"a\": ").append(q(der(pairs[i][0]))).append(", \"b\": ").append(q(der(pairs[i][1])))
               .append(", \"a_name\": ").append(q(a.getName())).append(", \"b_name\": ").append(q(b.getName()))
               .append(", \"equal\": ").append(a.equals(b)).append("}").append(i + 1 < pairs.length ? ",\n" : "\n");
        }
        System.out.print(out.append("  ]\n}\n"));
    }
}
