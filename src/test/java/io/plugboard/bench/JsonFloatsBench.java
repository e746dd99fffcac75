package io.plugboard.bench;

import io.plugboard.api.codec.JsonRequestDecoder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * What decoding a JSON float tensor costs per element (run by bench/json_floats.sh, not by the
 * test suite), for the 1x3x64x64 CNN request of bench/protocols.sh in two spellings: the
 * shortest decimal of each double (17 digits, as Python's json writes a float32 tensor's
 * {@code tolist()}) and of each float (9 digits). Rounds alternate between:
 * <ul>
 *   <li>the server's decoder as a body in memory is decoded (numeric arrays converted straight from
 *       the bytes, the rest through Jackson's parser);</li>
 *   <li>the server's decoder as a compressed body is decoded (Jackson's streaming parser, elements
 *       parsed straight to float);</li>
 *   <li>Jackson tokenizing the same body without converting a number: what any decoder built on it
 *       pays at least;</li>
 *   <li>a bare scan of the bytes that only finds where each number ends: what any JSON decoder in
 *       Java pays at least.</li>
 * </ul>
 * Usage: {@code JsonFloatsBench [rounds] [milliseconds-per-point]}; prints ns per element, the
 * median of the rounds, with the CPU time of this thread.
 */
public final class JsonFloatsBench {

    private static final int ELEMENTS = 3 * 64 * 64;
    private static volatile long sink;

    private JsonFloatsBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long millis = args.length > 1 ? Long.parseLong(args[1]) : 1000;
        JsonMapper mapper = JsonMapper.builder().build();
        JsonRequestDecoder decoder = new JsonRequestDecoder(mapper);
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        String[] spellings = {"double", "float"};
        String[] ways = {"server, from bytes", "server, streamed", "Jackson tokens only", "bare byte scan"};
        double[][][] cpu = new double[2][ways.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int s = 0; s < 2; s++) {
                byte[] body = body(s == 0);
                for (int w = 0; w < ways.length; w++) {
                    int way = (w + r) % ways.length; // a different order each round
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long end = System.nanoTime() + millis * 1_000_000;
                    long n = 0;
                    while (System.nanoTime() < end) {
                        switch (way) {
                            case 0 -> sink += decoder.decodeJsonOnly(body, 1 << 24).inputs().size();
                            case 1 -> sink += decoder.decode(new ByteArrayInputStream(body), 1 << 24).inputs().size();
                            case 2 -> sink += tokens(mapper, body);
                            default -> sink += scan(body);
                        }
                        n++;
                    }
                    cpu[s][way][r] = (threads.getCurrentThreadCpuTime() - cpu0) / (double) n / ELEMENTS;
                }
            }
        }
        for (int s = 0; s < 2; s++) {
            System.out.printf("%s spelling (%d bytes):%n", spellings[s], body(s == 0).length);
            for (int w = 0; w < ways.length; w++) {
                double[] v = cpu[s][w].clone();
                java.util.Arrays.sort(v);
                System.out.printf("  %-20s %6.1f ns CPU per element (%d rounds: %.1f–%.1f)%n", ways[w],
                        v[v.length / 2], rounds, v[0], v[v.length - 1]);
            }
        }
    }

    /** The CNN request with (i % 17) / 17, spelled as the shortest double or float decimal. */
    static byte[] body(boolean asDouble) {
        StringBuilder b = new StringBuilder("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,3,64,64],"
                + "\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < ELEMENTS; i++) {
            if (i > 0) {
                b.append(',');
            }
            double v = (i % 17) / 17.0;
            b.append(asDouble ? Double.toString((float) v) : Float.toString((float) v));
        }
        return b.append("]}]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static long tokens(JsonMapper mapper, byte[] body) {
        long lengths = 0;
        try (JsonParser p = mapper.createParser(body)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                    lengths += p.getTextLength();
                }
            }
        }
        return lengths;
    }

    /** Finds each number's end the way a JSON decoder must (digits, '.', exponent), converting nothing. */
    private static long scan(byte[] b) {
        long digits = 0;
        for (int i = 0; i < b.length; i++) {
            byte c = b[i];
            if (c >= '0' && c <= '9' || c == '.' || c == '-' || c == 'e' || c == 'E' || c == '+') {
                digits++;
            }
        }
        return digits;
    }
}
