package io.plugboard.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Numbers converted from their bytes take exactly the value the JDK's own parsing gives. */
class NumberTextTest {

    /** Records what it is sent, as a float tensor ({@code single}) or a double one. */
    private static final class Recorded implements ElementSink {
        final boolean single;
        final List<Object> values = new ArrayList<>();

        Recorded(boolean single) {
            this.single = single;
        }

        @Override
        public void bool(boolean v) {
            values.add(v);
        }

        @Override
        public void integer(long v, BigInteger big) {
            values.add(big != null ? big : (Object) v);
        }

        @Override
        public void decimal(double v, String text) {
            values.add(v);
        }

        @Override
        public boolean wantsDecimalText() {
            return false;
        }

        @Override
        public void string(String s) {
            values.add(s);
        }

        @Override
        public boolean wantsSingle() {
            return single;
        }

        @Override
        public void single(float v) {
            values.add(v);
        }
    }

    private static List<Object> read(List<String> numbers, boolean single) {
        byte[] b = ("[" + String.join(", ", numbers) + "]").getBytes(StandardCharsets.US_ASCII);
        Recorded sink = new Recorded(single);
        NumberText.read(b, 0, b.length, sink);
        return sink.values;
    }

    private static void assertParsedAsTheJdkDoes(List<String> numbers) {
        List<Object> floats = read(numbers, true);
        List<Object> doubles = read(numbers, false);
        assertThat(floats).hasSameSizeAs(numbers);
        for (int i = 0; i < numbers.size(); i++) {
            String n = numbers.get(i);
            if (n.contains(".") || n.contains("e") || n.contains("E")) {
                assertThat(Float.floatToRawIntBits((Float) floats.get(i))).as(n)
                        .isEqualTo(Float.floatToRawIntBits(Float.parseFloat(n)));
                assertThat(Double.doubleToRawLongBits((Double) doubles.get(i))).as(n)
                        .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(n)));
            } else {
                BigInteger exact = new BigInteger(n);
                assertThat(floats.get(i)).as(n).isEqualTo(exact.bitLength() < 64 ? (Object) exact.longValue() : exact);
            }
        }
    }

    @Test
    void shortestSpellingsOfFloatsAndDoubles() {
        Random random = new Random(1);
        List<String> numbers = new ArrayList<>();
        while (numbers.size() < 100_000) {
            float f = Float.intBitsToFloat(random.nextInt());
            double d = Double.longBitsToDouble(random.nextLong());
            double small = random.nextDouble() * Math.pow(10, random.nextInt(80) - 40);
            for (String s : new String[] {Float.toString(f), Double.toString(d), Double.toString(small),
                    Double.toString((double) (float) small), Float.toString(random.nextFloat())}) {
                if (!s.contains("N") && !s.contains("I")) {
                    numbers.add(s);
                }
            }
        }
        assertParsedAsTheJdkDoes(numbers);
    }

    @Test
    void randomDigitsWithAndWithoutExponents() {
        Random random = new Random(2);
        List<String> numbers = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            StringBuilder s = new StringBuilder(random.nextBoolean() ? "-" : "");
            int whole = random.nextInt(25);
            s.append(whole == 0 ? "0" : Integer.toString(1 + random.nextInt(9)));
            for (int k = 1; k < whole; k++) {
                s.append(random.nextInt(10));
            }
            if (random.nextInt(3) > 0) {
                s.append('.');
                int zeros = random.nextInt(4) == 0 ? random.nextInt(30) : 0;
                s.append("0".repeat(zeros));
                for (int k = 0, n = 1 + random.nextInt(25); k < n; k++) {
                    s.append(random.nextInt(10));
                }
            }
            if (random.nextInt(3) == 0) {
                s.append(random.nextBoolean() ? 'e' : 'E').append(switch (random.nextInt(3)) {
                    case 0 -> "+";
                    case 1 -> "-";
                    default -> "";
                }).append(random.nextInt(random.nextBoolean() ? 60 : 400));
            }
            numbers.add(s.toString());
        }
        assertParsedAsTheJdkDoes(numbers);
    }

    /** Decimals at, just above and just below the midpoint of two floats, the case a double cannot settle. */
    @Test
    void decimalsNextToTheMidpointOfTwoFloats() {
        Random random = new Random(3);
        List<String> numbers = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt(0x7f000000));
            BigDecimal low = new BigDecimal(f);
            BigDecimal mid = low.add(new BigDecimal(Math.nextUp(f))).divide(BigDecimal.TWO);
            BigDecimal tiny = mid.ulp().scaleByPowerOfTen(-random.nextInt(3));
            for (BigDecimal v : new BigDecimal[] {mid, mid.add(tiny), mid.subtract(tiny)}) {
                numbers.add(v.toString());
                for (int digits : new int[] {9, 17, 18, 19, 20, 25}) {
                    numbers.add(v.round(new MathContext(digits)).toString());
                }
            }
        }
        numbers.addAll(List.of("1.0000000596046448", "3.4028235677973366e38", "3.4028235677973367e38",
                "3.4028234663852886e38", "1.1754942e-38", "1.17549435e-38", "1e-45", "7e-46", "1.401298464324817e-45",
                "0.0", "-0.0", "0e999999999", "1e999999999", "-1e-999999999", "123456789012345678901234567890"));
        assertParsedAsTheJdkDoes(numbers);
    }

    @Test
    void integersKeepTheirExactValue() {
        List<String> numbers = List.of("0", "-0", "7", "-7", "999999999999999999", "-999999999999999999",
                "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
                "18446744073709551615", "100000000000000000000000");
        assertParsedAsTheJdkDoes(numbers);
        assertThat(read(List.of("-0"), true)).containsExactly(0L);
    }

    @Test
    void nestingAndWhitespaceAreSkipped() {
        byte[] b = "[ [1 ,\n2.5] ,\t[ ] , [[-3e1]] ]".getBytes(StandardCharsets.US_ASCII);
        Recorded sink = new Recorded(true);
        NumberText.read(b, 0, b.length, sink);
        assertThat(sink.values).containsExactly(1L, 2.5f, -30f);
    }
}
