package io.plugboard.convert.keras;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Runs converted models on ONNX Runtime and compares their outputs; reads .npz reference files. */
final class KerasOrt {

    /** A float tensor. */
    record Tensor(long[] shape, float[] data) {
    }

    private KerasOrt() {
    }

    /** Loads the ONNX bytes with ONNX Runtime (failing the test if it refuses) and runs them. */
    static Map<String, Tensor> run(Path onnx, Map<String, Tensor> inputs) throws IOException, OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] bytes = Files.readAllBytes(onnx);
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(bytes, opts)) {
                Map<String, OnnxTensor> feed = new LinkedHashMap<>();
                try {
                    for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                        feed.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue().data()),
                                e.getValue().shape()));
                    }
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    try (OrtSession.Result result = session.run(feed)) {
                        for (Map.Entry<String, OnnxValue> e : result) {
                            OnnxTensor t = (OnnxTensor) e.getValue();
                            FloatBuffer fb = t.getFloatBuffer();
                            float[] data = new float[fb.remaining()];
                            fb.get(data);
                            out.put(e.getKey(), new Tensor(t.getInfo().getShape(), data));
                        }
                    }
                    return out;
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    static List<String> sessionInputs(Path onnx) throws IOException, OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(Files.readAllBytes(onnx))) {
            return new ArrayList<>(session.getInputNames());
        }
    }

    static void assertClose(String what, Tensor actual, Tensor expected, double rtol, double atol) {
        assertThat(actual.shape()).as(what + " shape").containsExactly(expected.shape());
        float[] a = actual.data();
        float[] e = expected.data();
        assertThat(a.length).as(what + " size").isEqualTo(e.length);
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs(a[i] - e[i]);
            if (diff > atol + rtol * Math.abs(e[i]) || Float.isNaN(a[i])) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
            }
        }
    }

    /** The float32 arrays of an .npz file, by entry name without ".npy". */
    static Map<String, Tensor> readNpz(Path npz) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (ZipFile zf = new ZipFile(npz.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                try (InputStream in = zf.getInputStream(e)) {
                    out.put(e.getName().replaceAll("\\.npy$", ""), readNpy(in.readAllBytes()));
                }
            }
        }
        return out;
    }

    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    static Tensor readNpy(byte[] b) {
        if (b[0] != (byte) 0x93 || b[1] != 'N') {
            throw new IllegalArgumentException("not an .npy array");
        }
        int major = b[6];
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = major == 1 ? Short.toUnsignedInt(bb.getShort(8)) : bb.getInt(8);
        int start = major == 1 ? 10 : 12;
        String header = new String(b, start, headerLen, StandardCharsets.ISO_8859_1);
        if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
            throw new IllegalArgumentException("only C-ordered little-endian float32 arrays: " + header);
        }
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException("no shape in " + header);
        }
        List<Long> dims = new ArrayList<>();
        for (String d : m.group(1).split(",")) {
            if (!d.isBlank()) {
                dims.add(Long.parseLong(d.trim()));
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        int dataStart = start + headerLen;
        FloatBuffer fb = ByteBuffer.wrap(b, dataStart, b.length - dataStart).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] data = new float[fb.remaining()];
        fb.get(data);
        return new Tensor(shape, data);
    }
}
