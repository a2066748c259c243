// Independent reference for certificate mode, run by generate.py (`java CertFacts.java ...`; JDK 11 or later).
// It uses only the JDK: X500Principal.getName() (RFC 2253), BigInteger serials, MD5, X509Certificate.verify and
// checkValidity, which is what the Alipay Java SDK calls (docs/PROTOCOL.md §3.1, §3.4). It shares no code with AlipaySign.
//
//   java CertFacts.java facts FILE...            one JSON line per PEM block: issuer name, serial, sig alg OID, SN
//   java CertFacts.java trust CANDIDATE ROOTS MILLIS
//                                                the Java SDK's AntCertificationUtil.isTrusted, re-stated with the JDK
//                                                and a fixed instant; prints "trusted" or "untrusted: <check>"
import java.io.*;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.*;
import java.security.cert.*;
import java.util.*;
import javax.security.auth.x500.X500Principal;

public class CertFacts {
    static List<String> pemBlocks(String text) {
        List<String> blocks = new ArrayList<>();
        int at = 0;
        while (true) {
            int b = text.indexOf("-----BEGIN CERTIFICATE-----", at);
            if (b < 0) break;
            int e = text.indexOf("-----END CERTIFICATE-----", b);
            if (e < 0) break;
            e += "-----END CERTIFICATE-----".length();
            blocks.add(text.substring(b, e));
            at = e;
        }
        return blocks;
    }

    static X509Certificate parse(String pem) throws Exception {
        CertificateFactory f = CertificateFactory.getInstance("X.509");
        return (X509Certificate) f.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    static String md5hex(String s) throws Exception {
        byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
        String h = new BigInteger(1, d).toString(16);
        while (h.length() < 32) h = "0" + h;
        return h;
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    public static void main(String[] args) throws Exception {
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8"));
        if (args[0].equals("facts")) {
            for (int i = 1; i < args.length; i++) {
                String text = new String(Files.readAllBytes(Paths.get(args[i])), StandardCharsets.US_ASCII);
                int index = 0;
                for (String pem : pemBlocks(text)) {
                    try {
                        X509Certificate c = parse(pem);
                        String issuer = c.getIssuerX500Principal().getName();
                        String serial = c.getSerialNumber().toString();
                        System.out.println("{\"file\":" + json(args[i]) + ",\"index\":" + index
                            + ",\"issuer\":" + json(issuer) + ",\"subject\":" + json(c.getSubjectX500Principal().getName())
                            + ",\"serial\":" + json(serial) + ",\"sigAlgOID\":" + json(c.getSigAlgOID())
                            + ",\"sn\":" + json(md5hex(issuer + serial)) + "}");
                    } catch (Exception e) {
                        System.out.println("{\"file\":" + json(args[i]) + ",\"index\":" + index
                            + ",\"error\":" + json(e.toString()) + "}");
                    }
                    index++;
                }
            }
        } else if (args[0].equals("trust")) {
            List<X509Certificate> cand = new ArrayList<>();
            for (String p : pemBlocks(Files.readString(Paths.get(args[1]), StandardCharsets.US_ASCII))) cand.add(parse(p));
            List<X509Certificate> roots = new ArrayList<>();
            for (String p : pemBlocks(Files.readString(Paths.get(args[2]), StandardCharsets.US_ASCII))) {
                try { roots.add(parse(p)); } catch (Exception e) { /* the SDK's BC parser reads more; not needed here */ }
            }
            Date at = new Date(Long.parseLong(args[3]));
            System.out.println(verifyChain(cand.toArray(new X509Certificate[0]), roots, at));
        }
    }

    // --- AntCertificationUtil.verifyCertChain / sortByDn / verifyCert, with the instant made explicit ---
    static String validity(X509Certificate c, Date at) {
        try { c.checkValidity(at); return null; }
        catch (CertificateExpiredException e) { return "untrusted: expired"; }
        catch (CertificateNotYetValidException e) { return "untrusted: notYetValid"; }
    }

    static boolean selfSigned(X509Certificate c) { return c.getSubjectX500Principal().equals(c.getIssuerX500Principal()); }

    static String verifyChain(X509Certificate[] certs, List<X509Certificate> roots, Date at) {
        Map<X500Principal, X509Certificate> subjects = new HashMap<>(), issuers = new HashMap<>();
        boolean seenSelfSigned = false;
        for (X509Certificate c : certs) {
            if (selfSigned(c)) {
                if (seenSelfSigned) return "untrusted: incompleteChain";
                seenSelfSigned = true;
            }
            subjects.put(c.getSubjectX500Principal(), c);
            issuers.put(c.getIssuerX500Principal(), c);
        }
        LinkedList<X509Certificate> chain = new LinkedList<>();
        X509Certificate cur = certs[0];
        while (true) {                       // addressingUp
            chain.addFirst(cur);
            if (selfSigned(cur)) break;
            X509Certificate up = subjects.get(cur.getIssuerX500Principal());
            if (up == null) break;
            cur = up;
        }
        cur = certs[0];
        while (true) {                       // addressingDown
            X509Certificate down = issuers.get(cur.getSubjectX500Principal());
            if (down == null || selfSigned(down)) break;
            chain.addLast(down);
            cur = down;
        }
        if (chain.size() != certs.length) return "untrusted: incompleteChain";
        X509Certificate first = chain.get(0);
        String v = validity(first, at);
        if (v != null) return v;
        X509Certificate issuer = null;
        for (X509Certificate r : roots) if (r.getSubjectX500Principal().equals(first.getIssuerX500Principal())) issuer = r;
        if (issuer == null) return "untrusted: issuerNotInRoots";
        try { first.verify(issuer.getPublicKey()); } catch (Exception e) { return "untrusted: badSignature"; }
        for (int i = 1; i < chain.size(); i++) {
            v = validity(chain.get(i), at);
            if (v != null) return v;
            try { chain.get(i).verify(chain.get(i - 1).getPublicKey()); } catch (Exception e) { return "untrusted: badSignature"; }
        }
        return "trusted";
    }
}
