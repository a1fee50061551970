package dev.anomaly.trainer.report;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One report picture on XChart: a titled XY chart with axis titles, a legend, lines, scatters, step histograms,
 * marked points and a vertical marker line, saved as PNG. XChart picks round tick values; the few choices the report
 * needs (integer ticks, fixed ranges) are named methods here.
 */
final class Chart {
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
            new Color(0x7f7f7f)};
    private static final int W = 640;
    private static final int H = 420;

    private final XYChart chart;
    private int unnamed;

    Chart(String title, String xTitle, String yTitle) {
        chart = new XYChartBuilder().width(W).height(H).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        var s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setPlotGridLinesColor(new Color(0xe6e6e6));
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setLegendBorderColor(new Color(0xcccccc));
        s.setMarkerSize(4);
        s.setAntiAlias(true);
        s.setXAxisDecimalPattern("#,##0.###");
        s.setYAxisDecimalPattern("#,##0.###");
    }

    private String name(String name) {
        return name != null ? name : " ".repeat(++unnamed); // XChart needs distinct names; blank ones stay out of the legend
    }

    private XYSeries add(String name, double[] x, double[] y, Color color) {
        XYSeries s = chart.addSeries(name(name), x, y);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 80));
        s.setShowInLegend(name != null);
        return s;
    }

    Chart line(String name, double[] x, double[] y, Color color) {
        XYSeries s = add(name, x, y, color);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        return this;
    }

    /** A dashed reference line, e.g. a random classifier or a base rate. */
    Chart baseline(String name, double[] x, double[] y) {
        XYSeries s = add(name, x, y, PALETTE[4]);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.DASH_DASH);
        return this;
    }

    Chart scatter(String name, double[] x, double[] y, Color color) {
        XYSeries s = add(name, x.length == 0 ? new double[]{Double.NaN} : x, y.length == 0 ? new double[]{Double.NaN} : y, color);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        return this;
    }

    /** One marked point, such as the operating point the threshold gives. */
    Chart point(String name, double x, double y, Color color) {
        XYSeries s = add(name, new double[]{x}, new double[]{y}, color);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.DIAMOND);
        return this;
    }

    /** A histogram as a filled step curve over bins {@code [edges[i], edges[i+1])} of height {@code heights[i]}. */
    Chart histogram(String name, double[] edges, double[] heights, Color color) {
        int bins = heights.length;
        double[] x = new double[2 * bins];
        double[] y = new double[2 * bins];
        for (int i = 0; i < bins; i++) {
            x[2 * i] = edges[i];
            x[2 * i + 1] = edges[i + 1];
            y[2 * i] = heights[i];
            y[2 * i + 1] = heights[i];
        }
        XYSeries s = add(name, x, y, color);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
        s.setMarker(SeriesMarkers.NONE);
        return this;
    }

    /** A vertical line at {@code x} with a label beside its top. */
    Chart verticalLine(double x, double labelY, String label) {
        chart.addAnnotation(new AnnotationLine(x, true, false));
        chart.addAnnotation(new AnnotationText(label, x, labelY, false));
        return this;
    }

    Chart range(double xMin, double xMax, double yMin, double yMax) {
        chart.getStyler().setXAxisMin(xMin).setXAxisMax(xMax).setYAxisMin(yMin).setYAxisMax(yMax);
        return this;
    }

    Chart yFrom(double yMin) {
        chart.getStyler().setYAxisMin(yMin);
        return this;
    }

    Chart integerX() {
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        return this;
    }

    Chart percentY() {
        chart.getStyler().setYAxisDecimalPattern("0.#'%'");
        return this;
    }

    Chart legendAt(Styler.LegendPosition position) {
        chart.getStyler().setLegendPosition(position);
        return this;
    }

    void save(Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
