// Prints the hex of String.getBytes(charset) for each line of standard input (UTF-8), one line per input line:
// the bytes the Java SDK signs (docs/PROTOCOL.md §2.2, RSAEncryptor.doSign: content.getBytes(charset)).
// Run by generate.py as `java JavaBytes.java CHARSET`; needs a JDK 11 or later.
import java.io.*;
import java.nio.charset.*;

public class JavaBytes {
    public static void main(String[] args) throws Exception {
        Charset cs = Charset.forName(args[0]);
        CharsetEncoder enc = cs.newEncoder().onUnmappableCharacter(CodingErrorAction.REPORT);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String text = line.replace("\\n", "\n");
            StringBuilder hex = new StringBuilder();
            try {
                java.nio.ByteBuffer b = enc.encode(java.nio.CharBuffer.wrap(text));
                while (b.hasRemaining()) hex.append(String.format("%02x", b.get()));
                System.out.println(hex);
            } catch (CharacterCodingException e) {
                System.out.println("UNMAPPABLE");
            }
        }
    }
}
