package dev.anomaly.trainer.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A minimal line / scatter / histogram chart drawn with Java2D and saved as PNG. No dependencies, headless. */
final class Chart {
    private static final int W = 640;
    private static final int H = 400;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e)};

    private record Series(String name, double[] x, double[] y, Color color, boolean scatter) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<double[]> bars = new ArrayList<>(); // {x0, x1, height}
    private Double verticalLine;
    private String verticalLabel;
    private double[] xRange;
    private double[] yRange;

    Chart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    Chart line(String name, double[] x, double[] y, Color color) {
        series.add(new Series(name, x, y, color, false));
        return this;
    }

    Chart scatter(String name, double[] x, double[] y, Color color) {
        series.add(new Series(name, x, y, color, true));
        return this;
    }

    Chart bar(double x0, double x1, double height) {
        bars.add(new double[]{x0, x1, height});
        return this;
    }

    Chart verticalLine(double x, String label) {
        verticalLine = x;
        verticalLabel = label;
        return this;
    }

    Chart range(double xMin, double xMax, double yMin, double yMax) {
        xRange = new double[]{xMin, xMax};
        yRange = new double[]{yMin, yMax};
        return this;
    }

    void save(Path file) throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        double[] xr = xRange != null ? xRange : bounds(true);
        double[] yr = yRange != null ? yRange : bounds(false);
        if (xr[1] <= xr[0]) {
            xr = new double[]{xr[0] - 1, xr[0] + 1};
        }
        if (yr[1] <= yr[0]) {
            yr = new double[]{yr[0] - 1, yr[0] + 1};
        }
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        g.setColor(new Color(0xeeeeee));
        for (int i = 0; i <= 4; i++) {
            int y = TOP + ph * i / 4;
            g.drawLine(LEFT, y, LEFT + pw, y);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(LEFT, TOP, pw, ph);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 4; i++) {
            double yv = yr[1] - (yr[1] - yr[0]) * i / 4;
            g.drawString(format(yv), 5, TOP + ph * i / 4 + 4);
            double xv = xr[0] + (xr[1] - xr[0]) * i / 4;
            g.drawString(format(xv), LEFT + pw * i / 4 - 15, TOP + ph + 15);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, LEFT, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(xLabel, LEFT + pw / 2 - 30, H - 12);
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(TOP + ph / 2 + 30), 14);
        g.rotate(Math.PI / 2);
        g.setClip(LEFT, TOP, pw + 1, ph + 1);
        g.setColor(PALETTE[0]);
        for (double[] b : bars) {
            if (b[2] <= 0) {
                continue;
            }
            int x0 = px(b[0], xr, pw);
            int x1 = px(b[1], xr, pw);
            int y0 = py(b[2], yr, ph);
            g.fillRect(x0, y0, Math.max(1, x1 - x0 - 1), TOP + ph - y0);
        }
        for (Series s : series) {
            g.setColor(s.color);
            g.setStroke(new BasicStroke(2f));
            for (int i = 0; i < s.x.length; i++) {
                int x = px(s.x[i], xr, pw);
                int y = py(s.y[i], yr, ph);
                if (s.scatter) {
                    g.fillOval(x - 2, y - 2, 4, 4);
                } else if (i > 0) {
                    g.drawLine(px(s.x[i - 1], xr, pw), py(s.y[i - 1], yr, ph), x, y);
                }
            }
        }
        if (verticalLine != null) {
            g.setColor(Color.RED);
            g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
            int x = px(verticalLine, xr, pw);
            g.drawLine(x, TOP, x, TOP + ph);
            g.drawString(verticalLabel, Math.min(x + 4, LEFT + pw - 120), TOP + 14);
        }
        g.setClip(null);
        int ly = TOP + 8;
        for (Series s : series) {
            if (s.name == null) {
                continue;
            }
            g.setColor(s.color);
            g.fillRect(LEFT + pw - 150, ly, 10, 10);
            g.setColor(Color.DARK_GRAY);
            g.drawString(s.name, LEFT + pw - 135, ly + 10);
            ly += 16;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private double[] bounds(boolean x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : x ? s.x : s.y) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        for (double[] b : bars) {
            lo = Math.min(lo, x ? b[0] : 0);
            hi = Math.max(hi, x ? b[1] : b[2]);
        }
        if (x && verticalLine != null) {
            lo = Math.min(lo, verticalLine);
            hi = Math.max(hi, verticalLine);
        }
        if (!Double.isFinite(lo)) {
            return new double[]{0, 1};
        }
        double pad = (hi - lo) * 0.05;
        return new double[]{lo - (x || !bars.isEmpty() ? 0 : pad), hi + pad};
    }

    private static int px(double v, double[] r, int pw) {
        return LEFT + (int) Math.round((v - r[0]) / (r[1] - r[0]) * pw);
    }

    private static int py(double v, double[] r, int ph) {
        return TOP + ph - (int) Math.round((v - r[0]) / (r[1] - r[0]) * ph);
    }

    private static String format(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 0.01 || a >= 100_000)) {
            return String.format("%.1e", v);
        }
        return String.format(a < 10 ? "%.3f" : "%.1f", v);
    }
}
