/*
 * Draws bench/results/throughput.png from bench/results/results.csv (columns:
 * series,concurrency,requests_per_s,p50_us,p99_us), one line per series, log2 concurrency axis.
 *
 *   java bench/Chart.java bench/results/results.csv bench/results/throughput.png
 */
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

public class Chart {
    public static void main(String[] args) throws Exception {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.startsWith("series") || line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            series.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
        }
        int w = 1000, h = 600, left = 90, right = 260, top = 50, bottom = 60;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double maxY = series.values().stream().flatMap(List::stream).mapToDouble(p -> p[1]).max().orElse(1) * 1.1;
        double maxX = series.values().stream().flatMap(List::stream).mapToDouble(p -> p[0]).max().orElse(1);
        double lx = Math.log(maxX) / Math.log(2);
        g.setColor(Color.BLACK);
        g.setFont(new Font("SansSerif", Font.BOLD, 16));
        g.drawString("Throughput (requests/s) vs concurrency", left, 30);
        g.setFont(new Font("SansSerif", Font.PLAIN, 12));
        g.drawLine(left, h - bottom, w - right, h - bottom);
        g.drawLine(left, top, left, h - bottom);
        for (int i = 0; i <= 5; i++) {
            int y = h - bottom - (int) ((h - top - bottom) * i / 5.0);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left + 1, y, w - right, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.0f", maxY * i / 5), 10, y + 4);
        }
        for (int i = 0; i <= (int) lx; i++) {
            int x = left + (int) ((w - left - right) * (lx == 0 ? 0 : i / lx));
            g.drawString(Integer.toString(1 << i), x - 5, h - bottom + 20);
        }
        g.drawString("concurrent clients", (w - right) / 2, h - 15);
        Color[] palette = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
            new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
            new Color(127, 127, 127)};
        int k = 0;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            g.setColor(palette[k % palette.length]);
            g.setStroke(new BasicStroke(2.5f));
            int[] prev = null;
            for (double[] p : e.getValue()) {
                int x = left + (int) ((w - left - right) * (lx == 0 ? 0 : (Math.log(p[0]) / Math.log(2)) / lx));
                int y = h - bottom - (int) ((h - top - bottom) * p[1] / maxY);
                g.fillOval(x - 3, y - 3, 6, 6);
                if (prev != null) {
                    g.drawLine(prev[0], prev[1], x, y);
                }
                prev = new int[] {x, y};
            }
            g.fillRect(w - right + 20, top + 20 * k, 14, 10);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), w - right + 40, top + 10 + 20 * k);
            k++;
        }
        ImageIO.write(img, "png", new File(args[1]));
    }
}
