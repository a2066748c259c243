// SM3withSM2 by BouncyCastle (Debian's libbcprov-java, the provider the Java SDK uses for SM2), with the ID
// "1234567812345678" (the Java SDK's SM2Encryptor never sets another: docs/PROTOCOL.md §10).
//   java -cp /usr/share/java/bcprov.jar Sm2Peer.java sign KEY.b64 < lines      (line: base64 of the bytes, "-" for none)
//   java -cp /usr/share/java/bcprov.jar Sm2Peer.java verify PUB.b64 < lines    (line: base64 bytes, space, base64 sig)
//   java -cp /usr/share/java/bcprov.jar Sm2Peer.java chain CERTS.pem ROOTS.pem   (each certificate: is it signed by
//       the next one in the file, or by a root whose subject is its issuer; as the Java SDK's isTrusted checks it)
// Keys as the Java SDK takes them: base64 PKCS#8 (private) and SPKI (public), loaded through KeyFactory "EC".
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Security;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.jcajce.spec.SM2ParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

public class Sm2Peer {
    public static void main(String[] args) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        if (args[0].equals("chain")) {
            java.security.cert.CertificateFactory cf = java.security.cert.CertificateFactory.getInstance("X.509", "BC");
            java.util.List<java.security.cert.X509Certificate> certs = new java.util.ArrayList<>();
            for (java.security.cert.Certificate c : cf.generateCertificates(Files.newInputStream(Path.of(args[1]))))
                certs.add((java.security.cert.X509Certificate) c);
            java.util.List<java.security.cert.X509Certificate> roots = new java.util.ArrayList<>();
            for (java.security.cert.Certificate c : cf.generateCertificates(Files.newInputStream(Path.of(args[2]))))
                roots.add((java.security.cert.X509Certificate) c);
            for (int i = 0; i < certs.size(); i++) {
                java.security.cert.X509Certificate c = certs.get(i);
                java.security.PublicKey issuerKey = null;
                if (i + 1 < certs.size()) issuerKey = certs.get(i + 1).getPublicKey();
                else for (java.security.cert.X509Certificate r : roots)
                    if (r.getSubjectX500Principal().equals(c.getIssuerX500Principal())) issuerKey = r.getPublicKey();
                boolean ok;
                try { c.verify(issuerKey, "BC"); ok = true; } catch (Exception e) { ok = false; }
                System.out.println(ok);
            }
            return;
        }
        byte[] key = Base64.getDecoder().decode(Files.readString(Path.of(args[1])).trim());
        KeyFactory factory = KeyFactory.getInstance("EC", "BC");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            String[] parts = line.split(" ");
            Signature s = Signature.getInstance("SM3withSM2", "BC");
            s.setParameter(new SM2ParameterSpec("1234567812345678".getBytes("US-ASCII")));
            byte[] data = parts[0].equals("-") ? new byte[0] : Base64.getDecoder().decode(parts[0]);
            if (args[0].equals("sign")) {
                s.initSign(factory.generatePrivate(new PKCS8EncodedKeySpec(key)));
                s.update(data);
                System.out.println(Base64.getEncoder().encodeToString(s.sign()));
            } else {
                s.initVerify(factory.generatePublic(new X509EncodedKeySpec(key)));
                s.update(data);
                System.out.println(s.verify(Base64.getDecoder().decode(parts[1])));
            }
        }
    }
}
