package io.plugboard.backend.djl;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the code of a TorchScript archive ({@code <name>/code/**.py}, the serialized methods that
 * libtorch compiles at load) before anything of it runs, and refuses calls that reach outside the
 * model: operators outside libtorch's own namespaces ({@code ops.<ns>} is allowed for {@code aten},
 * {@code prim} and {@code quantized} only, so no custom-library op), custom classes, and the file
 * operations of every namespace ({@code from_file}, {@code save}, {@code load}, …).
 */
final class TorchScriptCodeCheck {

    private static final Set<String> OP_NAMESPACES = Set.of("aten", "prim", "quantized");
    private static final Set<String> FILE_OPS = Set.of("from_file", "save", "load", "_save_for_mobile",
            "_load_for_mobile", "_save_parameters", "_load_parameters", "_pickle_save", "_pickle_load_obj",
            "_load_from_file", "from_filename", "_nested_from_file", "open", "system", "popen");
    /** {@code torch.x}, {@code ops.ns.x}, {@code torch.classes.ns.C}: the names code calls through. */
    private static final Pattern CALL = Pattern.compile("\\b(torch|ops)((?:\\.[A-Za-z_][A-Za-z0-9_]*)+)");
    private static final long MAX_CODE_BYTES = 64L << 20;

    private TorchScriptCodeCheck() {
    }

    /** @throws PlugboardException {@code UNSAFE_MODEL} naming the call and the file it is in */
    static void check(Path archive) {
        long total = 0;
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (!entry.isDirectory() && entry.getName().contains("/code/") && entry.getName().endsWith(".py")) {
                    String code = read(zip, entry, MAX_CODE_BYTES - total);
                    total += code.length();
                    checkCode(entry.getName(), code);
                }
            }
        } catch (IOException e) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The TorchScript archive cannot be read: "
                    + e.getMessage(), e);
        }
    }

    static void checkCode(String file, String code) {
        Matcher m = CALL.matcher(code);
        while (m.find()) {
            String[] parts = m.group(2).substring(1).split("\\.");
            String root = m.group(1);
            if (root.equals("torch") && parts[0].equals("ops") && parts.length > 1) {
                root = "ops";
                parts = java.util.Arrays.copyOfRange(parts, 1, parts.length);
            }
            String call = m.group(0);
            if (root.equals("ops") && !OP_NAMESPACES.contains(parts[0])) {
                throw unsafe(call, file, "calls an operator outside libtorch (a custom library's)");
            }
            if (root.equals("torch") && parts[0].equals("classes")) {
                throw unsafe(call, file, "uses a custom class from a library outside libtorch");
            }
            for (String part : parts) {
                if (FILE_OPS.contains(part)) {
                    throw unsafe(call, file, "reads or writes files");
                }
            }
        }
    }

    private static String read(ZipFile zip, ZipEntry entry, long budget) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (out.size() + n > budget) {
                    throw new PlugboardException(ProblemType.UNSAFE_MODEL, "The TorchScript archive's code is larger "
                            + "than " + (MAX_CODE_BYTES >> 20) + " MB.");
                }
                out.write(buffer, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private static PlugboardException unsafe(String call, String file, String why) {
        return new PlugboardException(ProblemType.UNSAFE_MODEL, "The TorchScript model is refused: '" + call + "' in "
                + file + " " + why + ".", Map.of("operation", call, "location", file));
    }
}
