package io.plugboard.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Eight bytes at a time give what one byte at a time gives. */
class DigitsTest {

    private static int endOneByOne(byte[] b, int i) {
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i;
    }

    @Test
    void everyByteValueAtEveryPositionEndsARunWhereItShould() {
        for (int position = 0; position < 12; position++) {
            for (int value = 0; value < 256; value++) {
                byte[] b = "5555555555555555".getBytes();
                b[position] = (byte) value;
                assertThat(Digits.end(b, 0, b.length)).as("byte %d at %d", value, position).isEqualTo(endOneByOne(b, 0));
            }
        }
    }

    @Test
    void randomBytesAndDigitRunsEndAlike() {
        Random random = new Random(5);
        for (int n = 0; n < 200_000; n++) {
            byte[] b = new byte[random.nextInt(30)];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) (random.nextInt(4) > 0 ? '0' + random.nextInt(10) : random.nextInt(256));
            }
            int from = b.length == 0 ? 0 : random.nextInt(b.length);
            assertThat(Digits.end(b, from, b.length)).isEqualTo(endOneByOne(b, from));
        }
    }

    @Test
    void eightDigitsHaveTheirDecimalValue() {
        Random random = new Random(6);
        for (int n = 0; n < 100_000; n++) {
            String digits = String.format("%08d", random.nextInt(100_000_000));
            long word = Digits.word(digits.getBytes(), 0);
            assertThat(Digits.nonDigits(word)).isZero();
            assertThat(Digits.value(word)).isEqualTo(Long.parseLong(digits));
        }
        assertThat(Digits.value(Digits.word("99999999".getBytes(), 0))).isEqualTo(99_999_999L);
    }
}
