// Expected wire encodings of signed v2 requests (vectors/wire/wire.json), from the JDK's java.net.URLEncoder,
// the encoder the official Java SDK's WebUtils.buildQuery calls.
//
// The split restates the Java SDK (docs/PROTOCOL.md §7.2): the protocol-must parameters, then the
// protocol-optional ones, go in the URL query in that order; every other parameter goes in the form body (sorted
// by name here, as the library writes it); a pair with an empty value is left out. The signature is a fixed
// placeholder: only the encoding is under test.
//
// Run: java vectors/wire/WireEncoding.java > vectors/wire/wire.json   (JDK 11+)
import java.net.URLEncoder;
import java.util.*;

public class WireEncoding {
    static final List<String> QUERY = List.of(
        "method", "version", "app_id", "sign_type", "terminal_type", "terminal_info", "notify_url", "return_url",
        "charset", "target_app_id", "encrypt_type", "app_cert_sn", "alipay_root_cert_sn", "timestamp", "sign",
        "format", "auth_token", "alipay_sdk", "prod_code");

    static String build(List<Map.Entry<String, String>> pairs, String charset) throws Exception {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : pairs) {
            if (e.getKey().isEmpty() || e.getValue().isEmpty()) continue;
            if (out.length() > 0) out.append('&');
            out.append(URLEncoder.encode(e.getKey(), charset)).append('=').append(URLEncoder.encode(e.getValue(), charset));
        }
        return out.toString();
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
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {"utf-8 trade query", "UTF-8", new String[][] {
            {"app_id", "2021000000000001"}, {"method", "alipay.trade.query"}, {"charset", "utf-8"},
            {"sign_type", "RSA2"}, {"timestamp", "2026-11-22 10:00:00"}, {"version", "1.0"}, {"format", "JSON"},
            {"notify_url", "https://merchant.example/notify?a=1&b=2"},
            {"biz_content", "{\"out_trade_no\":\"20261122100000001\",\"subject\":\"咖啡 & tea ~*_.-+/\"}"},
            {"app_auth_token", "201611BB8xxxxxxxxxxxxxxxxxxxedcecde6"}, {"empty_one", ""}}});
        cases.add(new Object[] {"gbk precreate", "GBK", new String[][] {
            {"app_id", "2021000000000001"}, {"method", "alipay.trade.precreate"}, {"charset", "GBK"},
            {"sign_type", "RSA2"}, {"timestamp", "2026-11-22 10:00:00"}, {"version", "1.0"},
            {"biz_content", "{\"subject\":\"测试商品，€ 100%\",\"total_amount\":\"88.88\"}"}}});
        StringBuilder out = new StringBuilder("{\"source\":\"java.net.URLEncoder (JDK), split as the Java SDK's AbstractAlipayClient\",\"sign\":\"c2lnbg==\",\"cases\":[\n");
        for (int k = 0; k < cases.size(); k++) {
            Object[] c = cases.get(k);
            String charset = (String) c[1];
            Map<String, String> params = new TreeMap<>();
            for (String[] p : (String[][]) c[2]) params.put(p[0], p[1]);
            Map<String, String> all = new TreeMap<>(params);
            all.put("sign", "c2lnbg==");
            List<Map.Entry<String, String>> query = new ArrayList<>();
            for (String name : QUERY) if (all.containsKey(name)) query.add(Map.entry(name, all.get(name)));
            List<Map.Entry<String, String>> body = new ArrayList<>();
            for (Map.Entry<String, String> e : params.entrySet()) if (!QUERY.contains(e.getKey())) body.add(e);
            StringBuilder ps = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<String, String> e : params.entrySet()) {
                if (!first) ps.append(',');
                first = false;
                ps.append(json(e.getKey())).append(':').append(json(e.getValue()));
            }
            ps.append('}');
            out.append("{\"name\":").append(json((String) c[0])).append(",\"charset\":").append(json(charset))
                .append(",\"parameters\":").append(ps).append(",\"query\":").append(json(build(query, charset)))
                .append(",\"form_body\":").append(json(build(body, charset))).append('}')
                .append(k + 1 < cases.size() ? ",\n" : "\n");
        }
        System.out.print(out.append("]}\n"));
    }
}
