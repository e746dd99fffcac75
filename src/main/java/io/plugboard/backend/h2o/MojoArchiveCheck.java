package io.plugboard.backend.h2o;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks the sizes a MOJO's {@code model.ini} declares before h2o-genmodel allocates by them: the
 * column, feature, class and domain counts must be bounded and agree with what the archive holds
 * (every domain's level count is the number of lines of its file), so a few hundred bytes cannot
 * make the server allocate gigabytes.
 */
final class MojoArchiveCheck {

    private static final int MAX_INI_BYTES = 16 << 20;
    private static final long MAX_COUNT = 1_000_000;
    private static final long MAX_DOMAIN_BYTES = 256L << 20;

    private MojoArchiveCheck() {
    }

    /** @throws PlugboardException {@code MODEL_LOAD_FAILED} naming the declaration that does not hold */
    static void check(Path mojo) {
        try (ZipFile zip = new ZipFile(mojo.toFile())) {
            ZipEntry ini = zip.getEntry("model.ini");
            if (ini == null) {
                throw invalid("has no model.ini");
            }
            String text = new String(read(zip, ini, MAX_INI_BYTES), StandardCharsets.UTF_8);
            Map<String, String> info = new HashMap<>();
            List<String> columns = new ArrayList<>();
            List<String> domains = new ArrayList<>();
            String section = "";
            for (String raw : text.split("\r?\n")) {
                String line = raw.strip();
                if (line.startsWith("[") && line.endsWith("]")) {
                    section = line;
                } else if (!line.isEmpty()) {
                    switch (section) {
                        case "[info]" -> {
                            int eq = line.indexOf('=');
                            if (eq > 0) {
                                info.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
                            }
                        }
                        case "[columns]" -> columns.add(line);
                        case "[domains]" -> domains.add(line);
                        default -> { }
                    }
                }
            }
            long nColumns = count(info, "n_columns");
            if (count(info, "n_features") > nColumns) {
                throw invalid("declares n_features = " + info.get("n_features") + ", more than its " + nColumns
                        + " columns");
            }
            count(info, "n_classes");
            if (nColumns != columns.size()) {
                throw invalid("declares n_columns = " + nColumns + " but lists " + columns.size() + " columns");
            }
            if (count(info, "n_domains") != domains.size()) {
                throw invalid("declares n_domains = " + info.get("n_domains") + " but lists " + domains.size());
            }
            // each domain file is counted once, streamed, however many columns name it
            Map<String, Long> lineCounts = new HashMap<>();
            for (String domain : domains) {
                checkDomain(zip, domain, nColumns, lineCounts);
            }
        } catch (IOException e) {
            throw invalid("cannot be read as a zip archive: " + e.getMessage());
        }
    }

    /** {@code "<column>: <levels> <file>"}: a column that exists, and as many levels as its file has lines. */
    private static void checkDomain(ZipFile zip, String line, long nColumns, Map<String, Long> lineCounts) {
        String[] parts = line.split("[:\\s]+");
        if (parts.length != 3) {
            throw invalid("has a malformed domain line '" + shortened(line) + "'");
        }
        long column = number("domain column", parts[0]);
        long levels = number("domain size", parts[1]);
        if (column >= nColumns) {
            throw invalid("gives a domain to column " + column + " of " + nColumns);
        }
        ZipEntry file = zip.getEntry("domains/" + parts[2]);
        if (file == null) {
            throw invalid("names domain file '" + shortened(parts[2]) + "', which the archive does not hold");
        }
        long lines = lineCounts.computeIfAbsent(file.getName(), name -> countLines(zip, file));
        if (levels > lines) {
            throw invalid("declares " + levels + " levels for column " + column + " but its domain file holds " + lines);
        }
    }

    /** Lines of a domain file, read in blocks (never whole), refused past {@link #MAX_DOMAIN_BYTES}. */
    private static long countLines(ZipFile zip, ZipEntry file) {
        try (InputStream in = zip.getInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            long lines = 0;
            long total = 0;
            int last = '\n';
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > MAX_DOMAIN_BYTES) {
                    throw invalid("holds '" + file.getName() + "' larger than " + (MAX_DOMAIN_BYTES >> 20) + " MB");
                }
                for (int i = 0; i < n; i++) {
                    lines += buffer[i] == '\n' ? 1 : 0;
                }
                last = buffer[n - 1];
            }
            return last == '\n' ? lines : lines + 1;
        } catch (IOException e) {
            throw invalid("cannot read '" + file.getName() + "': " + e.getMessage());
        }
    }

    private static long count(Map<String, String> info, String key) {
        String value = info.get(key);
        return value == null ? 0 : number(key, value);
    }

    private static long number(String what, String value) {
        long n;
        try {
            n = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw invalid("gives " + what + " '" + shortened(value) + "', not a number");
        }
        if (n < 0 || n > MAX_COUNT) {
            throw invalid("gives " + what + " " + n + ", outside 0.." + MAX_COUNT);
        }
        return n;
    }

    private static byte[] read(ZipFile zip, ZipEntry entry, long limit) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (content.length > limit) {
                throw invalid("holds '" + entry.getName() + "' larger than " + (limit >> 20) + " MB");
            }
            return content;
        }
    }

    private static String shortened(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }

    private static PlugboardException invalid(String what) {
        return new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The MOJO " + what
                + "; it is refused before h2o-genmodel reads it.");
    }
}
