// The JDK's SHA256withRSA (java.security.Signature, what the official Java SDK's AlipaySignature uses) signing and
// verifying the same request content with the same RSA-2048 key as bench/throughput, after a warm-up.
// Usage: java JavaSignature.java KEYS_DIR SECONDS; prints `NAME OPS_PER_SECOND` lines for compare.sh.
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.*;
import java.security.spec.*;
import java.util.Base64;

public class JavaSignature {
    public static void main(String[] args) throws Exception {
        Path keys = Paths.get(args[0]);
        double seconds = Double.parseDouble(args[1]);
        KeyFactory kf = KeyFactory.getInstance("RSA");
        PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(Files.readString(keys.resolve("rsa2048-pkcs8.b64")).trim())));
        PublicKey pub = kf.generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(Files.readString(keys.resolve("rsa2048-spki.b64")).trim())));
        byte[] content = ("app_auth_token=202611BB1234567890abcdef&app_id=2021000000000001&biz_content={\"out_trade_no\":\"20261122100000001\",\"total_amount\":\"88.88\",\"subject\":\"测试商品 Iphone6 16G\",\"timeout_express\":\"90m\"}&charset=utf-8&format=JSON&method=alipay.trade.precreate&notify_url=https://merchant.example/alipay/notify&sign_type=RSA2&timestamp=2026-11-22 10:00:00&version=1.0").getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(priv);
        signer.update(content);
        byte[] sig = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        System.out.println("java-sign " + Math.round(rate(seconds, () -> { signer.update(content); signer.sign(); })));
        System.out.println("java-verify " + Math.round(rate(seconds, () -> { verifier.initVerify(pub); verifier.update(content); if (!verifier.verify(sig)) throw new IllegalStateException(); })));
    }

    interface Op { void run() throws Exception; }

    static double rate(double seconds, Op op) throws Exception {
        long warm = System.nanoTime();
        while (System.nanoTime() - warm < 2_000_000_000L) op.run();   // JIT warm-up
        long n = 0, start = System.nanoTime(), budget = (long) (seconds * 1e9);
        while (System.nanoTime() - start < budget) { op.run(); n++; }
        return n / ((System.nanoTime() - start) / 1e9);
    }
}
