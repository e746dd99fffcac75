package io.plugboard.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.problem.PlugboardException;
import io.plugboard.tensor.DataType;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Numeric data arrays converted from the body's bytes give the request the parser alone gives,
 * for every body: the same tensors to the bit, or the same refusal with the same message.
 */
class NumericArraysTest {

    private static final String HEAD = "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":";

    private static int spliced(String json) {
        return NumericArrays.in(json.getBytes(StandardCharsets.UTF_8)).arrays();
    }

    /** Decodes both ways (which must agree); the refusal's message, or null when accepted. */
    private static String agreed(String json) {
        try {
            BothWays.decode(json.getBytes(StandardCharsets.UTF_8), 1 << 20);
            return null;
        } catch (PlugboardException e) {
            return e.getMessage();
        }
    }

    @Test
    void onlyTheDataArraysOfInputsAreSpliced() {
        String json = "{\"id\":\"a\",\"parameters\":{\"data\":[1,2]},\"inputs\":[{\"name\":\"x\",\"shape\":[2],"
                + "\"datatype\":\"FP32\",\"data\":[1.5,2]},{\"name\":\"y\",\"shape\":[1,2],\"datatype\":\"INT64\","
                + "\"data\":[[3,-4]]},{\"name\":\"s\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"t\"]},"
                + "{\"name\":\"b\",\"shape\":[2],\"datatype\":\"BOOL\",\"data\":[true,false]}],"
                + "\"outputs\":[{\"name\":\"o\",\"data\":[1]}]}";
        assertThat(spliced(json)).isEqualTo(2);
        DecodedRequest r = BothWays.decode(json.getBytes(StandardCharsets.UTF_8), 1 << 20);
        assertThat(r.inputs().get("x").data().order(ByteOrder.LITTLE_ENDIAN).getFloat(4)).isEqualTo(2f);
        assertThat(r.inputs().get("y").data().order(ByteOrder.LITTLE_ENDIAN).getLong(8)).isEqualTo(-4L);
        assertThat(r.inputs().get("s").elements()).hasSize(1);
        assertThat(r.outputs()).extracting(DecodedRequest.OutputRequest::name).containsExactly("o");
    }

    /** Bodies spliced, with what makes them awkward: order, nesting, whitespace, repeats, refusals. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"inputs\":[{\"data\":[1.5, 2],\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\"}]}",
        "{\"inputs\":[{\"name\":\"x\",\"data\":[[1],[2]],\"shape\":[2,1],\"datatype\":\"BF16\"}]}",
        " \n{ \"inputs\" :\t[ { \"name\" : \"x\" , \"shape\" : [ 2 ] , \"datatype\" : \"FP16\" , \"data\" :\r\n[ 1e0 ,\n-2.50 ] } ] } \n",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[[],[1],[],[[2]],[]]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2,3],\"data\":[4,5]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"data\":[1,2,3],\"shape\":[2],\"datatype\":\"FP32\",\"data\":[4,5]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"data\":[1,2],\"data\":[\"NaN\",3],\"shape\":[2],\"datatype\":\"FP32\"}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2]}],"
                + "\"inputs\":[{\"name\":\"y\",\"shape\":[1],\"datatype\":\"FP64\",\"data\":[0.1]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2]},"
                + "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[3]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[3],\"datatype\":\"FP32\",\"data\":[1,2]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1,2]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,1e39]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP16\",\"data\":[1,70000]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP64\",\"data\":[1e308,1e309]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[3],\"datatype\":\"INT32\",\"data\":[3.0,-0,2147483647]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[2147483648]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1e2]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1.5]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"UINT64\",\"data\":[18446744073709551615,0]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"UINT64\",\"data\":[18446744073709551616]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"INT64\",\"data\":[-9223372036854775808,9223372036854775807]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"BOOL\",\"data\":[0,1]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"BOOL\",\"data\":[2]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[1]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT8\",\"data\":[-129]}]}",
        "{\"inputs\":[{\"shape\":[1],\"datatype\":\"INT8\",\"data\":[1]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1],\"parameters\":{\"binary_data_size\":4}}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"outputs\":{}}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"id\":7}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"x\":\"\\ud800\\\"\"}",
        "{\"inputs\":[{\"name\":\"\\u00e9\\\"\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"bad\":\"\\q\"}",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"bad\":\"\u00ff\"}",
    })
    void splicedBodiesDecodeAsTheParserDecodesThem(String json) {
        assertThat(spliced(json)).isPositive();
        agreed(json);
    }

    /** Bodies left whole to the parser: not strictly valid JSON, or data that is not plain numbers. */
    @ParameterizedTest
    @ValueSource(strings = {
        HEAD + "[01,2]}]}", HEAD + "[1.,2]}]}", HEAD + "[.5,2]}]}", HEAD + "[1e,2]}]}", HEAD + "[-,2]}]}",
        HEAD + "[+1,2]}]}", HEAD + "[1,2,]}]}", HEAD + "[1 2]}]}", HEAD + "[1,2]}]} x", HEAD + "[1,2]}]}}",
        HEAD + "[1,2]}]", HEAD + "[1,2", HEAD + "[NaN,2]}]}", HEAD + "[1,\"2\"]}]}", HEAD + "[1,null]}]}",
        HEAD + "[1,true]}]}", HEAD + "[1,{}]}]}", HEAD + "[]}]}", HEAD + "[[],[]]}]}", HEAD + "1}]}",
        HEAD + "[1,2]}], \"id\":\"a\u0001\"}", HEAD + "[1,2]}], \"id\":tru}", HEAD + "[1,2]}], \"id\":nul}",
        HEAD + "[1,0.12345678901234567890123456789012345678901234567890123456789012345]}]}",
        "\ufeff" + HEAD + "[1,2]}]}", "[" + HEAD + "[1,2]}]}]", HEAD + "[1,2]}]}//",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"d\\u0061ta\":[1,2]}]}",
        "{\"inputs\":[[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2]}]]}",
        "{\"inputs\":{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2]}}",
        "{\"x\":{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2]}]}}",
    })
    void otherBodiesAreParsedAsSent(String json) {
        assertThat(spliced(json)).isZero();
        agreed(json);
    }

    /** Data read before its datatype or shape is held to the element limit either way. */
    @Test
    void dataBeforeItsDatatypeIsHeldToTheElementLimit() {
        byte[] json = "{\"inputs\":[{\"data\":[1,[2,3]],\"name\":\"x\",\"datatype\":\"INT32\",\"shape\":[3]}]}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(NumericArrays.in(json).arrays()).isOne();
        assertThat(BothWays.decode(json, 3).inputs()).containsKey("x");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BothWays.decode(json, 2))
                .isInstanceOfSatisfying(PlugboardException.class,
                        e -> assertThat(e.type()).isEqualTo(io.plugboard.problem.ProblemType.PAYLOAD_TOO_LARGE));
    }

    /** What the scan keeps is bounded: past as many arrays as a request may have inputs, none is spliced. */
    @Test
    void moreNumericArraysThanARequestMayHaveInputsLeaveTheBodyToTheParser() {
        int most = io.plugboard.inference.InferenceRequest.MAX_TENSORS;
        assertThat(spliced(inputs(most))).isEqualTo(most);
        assertThat(agreed(inputs(most))).isNull();
        assertThat(spliced(inputs(most + 1))).isZero();
        assertThat(agreed(inputs(most + 1))).contains("more than " + most + " inputs");
    }

    private static String inputs(int n) {
        StringBuilder s = new StringBuilder("{\"inputs\":[");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ",").append("{\"name\":\"x").append(i)
                    .append("\",\"shape\":[1],\"datatype\":\"INT8\",\"data\":[").append(i % 100).append("]}");
        }
        return s.append("]}").toString();
    }

    @Test
    void nestingAsDeepAsTheDataReaderGoesIsSplicedAndDeeperIsNot() {
        String deepest = "[".repeat(33) + "1,2" + "]".repeat(33);
        String deeper = "[".repeat(34) + "1,2" + "]".repeat(34);
        assertThat(spliced(HEAD + deepest + "}]}")).isOne();
        assertThat(agreed(HEAD + deepest + "}]}")).isNull();
        assertThat(spliced(HEAD + deeper + "}]}")).isZero();
        assertThat(agreed(HEAD + deeper + "}]}")).contains("nested too deeply");
    }

    @Test
    void aBodyNestedPastTheScansLimitIsLeftToTheParserWithoutOverflowingTheStack() {
        String nested = "{\"parameters\":{\"a\":" + "[".repeat(400) + "]".repeat(400) + "}," + HEAD.substring(1) + "[1,2]}]}";
        assertThat(spliced(nested)).isZero();
        assertThat(agreed(nested)).isNull();
        String hostile = HEAD + "[" + "[".repeat(100_000);
        assertThat(spliced(hostile)).isZero();
        assertThat(agreed(hostile)).isNotNull();
    }

    /** Random requests of every numeric datatype, element spelling, nesting, key order and whitespace. */
    @Test
    void randomRequestsDecodeAlikeBothWays() {
        Random random = new Random(4);
        DataType[] types = {DataType.FP32, DataType.FP16, DataType.BF16, DataType.FP64, DataType.INT8,
            DataType.UINT8, DataType.INT32, DataType.INT64, DataType.UINT64, DataType.BOOL};
        int refused = 0;
        for (int i = 0; i < 3_000; i++) {
            DataType type = types[random.nextInt(types.length)];
            int rows = 1 + random.nextInt(4);
            int columns = 1 + random.nextInt(8);
            List<String> elements = new ArrayList<>();
            int count = rows * columns + (random.nextInt(20) == 0 ? 1 : 0);
            for (int k = 0; k < count; k++) {
                elements.add(element(random, type));
            }
            String data = random.nextBoolean() ? "[" + String.join(",", elements) + "]" : nested(elements, columns);
            String ws = random.nextBoolean() ? "" : " \n";
            List<String> members = new ArrayList<>(List.of("\"name\":\"x" + i + "\"",
                    "\"shape\":[" + rows + "," + columns + "]", "\"datatype\":\"" + type + "\"", "\"data\":" + ws + data));
            java.util.Collections.shuffle(members, random);
            String json = "{\"inputs\":[{" + String.join("," + ws, members) + "}]}";
            assertThat(spliced(json)).as(json).isOne();
            refused += agreed(json) == null ? 0 : 1;
        }
        assertThat(refused).as("some requests are refused, most are not").isBetween(100, 2_000);
    }

    private static String nested(List<String> elements, int columns) {
        StringBuilder s = new StringBuilder("[");
        for (int k = 0; k < elements.size(); k += columns) {
            s.append(k == 0 ? "[" : ",[").append(String.join(",", elements.subList(k, Math.min(k + columns,
                    elements.size())))).append(']');
        }
        return s.append(']').toString();
    }

    private static String element(Random random, DataType type) {
        if (!type.isFloatingPoint() && random.nextInt(8) > 0) {
            return random.nextInt(10) == 0 ? "1.0" : Integer.toString(random.nextInt(2)); // valid for any integer type
        }
        return switch (random.nextInt(type.isFloatingPoint() ? 6 : 9)) {
            case 0 -> Float.toString(random.nextFloat() * 100 - 50);
            case 1 -> Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10));
            case 2 -> Integer.toString(random.nextInt(256) - 128);
            case 3 -> Long.toString(random.nextLong());
            case 4 -> new java.math.BigDecimal(random.nextFloat()).toString();
            case 5 -> (random.nextBoolean() ? "-" : "") + random.nextInt(10) + "e" + (random.nextInt(90) - 45);
            case 6 -> random.nextInt(2) + ".0";
            case 7 -> Integer.toString(random.nextInt(2));
            default -> "1" + "0".repeat(random.nextInt(22));
        };
    }
}
