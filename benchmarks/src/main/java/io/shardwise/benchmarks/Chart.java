package io.shardwise.benchmarks;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The picture at the top of docs/benchmarks.md: two log-scale bar charts side by side, wall time per batch and
 * requests per record, one bar group per contender, one colour per scenario (all new, redelivered, producer
 * duplicates), at the headline latency; and the cost chart ({@link #writeCost}). Needs {@code
 * java.awt.headless=true} on a machine without a display.
 */
public final class Chart {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 620;

    private Chart() {
    }

    public static void write(Results r, Path png) throws IOException {
        Map<String, List<Measurement>> scenarios = new LinkedHashMap<>();
        scenarios.put("all new", r.headline());
        scenarios.put("redelivered, " + (r.settings().records() - 1) + " done", r.redelivered());
        scenarios.put("10 % producer duplicates", r.duplicates());
        List<ContenderSpec> specs = r.headline().stream().map(Measurement::spec).toList();
        List<String> labels = specs.stream().map(ContenderSpec::shortLabel).toList();

        CategoryChart wall = chart(String.format("Wall time per %,d-record batch at %d ms per request (log)",
                r.settings().records(), r.settings().headline()), "ms per batch (median)");
        CategoryChart requests = chart("DynamoDB requests per record, dedup + user (log)", "requests / record");
        List<Double> allMs = new ArrayList<>();
        List<Double> allReqs = new ArrayList<>();
        for (Map.Entry<String, List<Measurement>> e : scenarios.entrySet()) {
            List<Double> ms = new ArrayList<>();
            List<Double> reqs = new ArrayList<>();
            for (ContenderSpec spec : specs) {
                Measurement m = Results.find(e.getValue(), spec);
                ms.add(m == null ? null : positive(m.medianMs()));
                reqs.add(m == null ? null : positive(m.totalPerRecord()));
            }
            wall.addSeries(e.getKey(), labels, ms);
            requests.addSeries(e.getKey(), labels, reqs);
            allMs.addAll(ms);
            allReqs.addAll(reqs);
        }
        decades(wall, allMs);
        decades(requests, allReqs);
        wall.getStyler().setYAxisDecimalPattern("#,##0");
        requests.getStyler().setYAxisDecimalPattern("#,##0.###");
        BufferedImage left = BitmapEncoder.getBufferedImage(wall);
        BufferedImage right = BitmapEncoder.getBufferedImage(requests);
        BufferedImage both = new BufferedImage(left.getWidth() + right.getWidth(),
                Math.max(left.getHeight(), right.getHeight()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, both.getWidth(), both.getHeight());
            g.drawImage(left, 0, 0, null);
            g.drawImage(right, left.getWidth(), 0, null);
        } finally {
            g.dispose();
        }
        ImageIO.write(both, "png", png.toFile());
    }

    /**
     * The cost chart of docs/benchmarks.md: US$ per million records of the all-new batch at the headline latency,
     * one stacked bar per contender (DynamoDB writes, DynamoDB reads, Lambda), linear axis.
     */
    public static void writeCost(Results r, Pricing pricing, Path png) throws IOException {
        List<Measurement> head = r.headline();
        List<String> labels = head.stream().map(m -> m.spec().shortLabel()).toList();
        List<Double> writes = new ArrayList<>();
        List<Double> reads = new ArrayList<>();
        List<Double> lambda = new ArrayList<>();
        for (Measurement m : head) {
            Pricing.Cost c = pricing.perMillionRecords(m);
            writes.add(c.dynamoWrites());
            reads.add(c.dynamoReads());
            lambda.add(c.lambda());
        }
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(String.format("US$ per million records, %,d-record batches at %d ms per request (%s)",
                        r.settings().records(), r.settings().headline(), "on-demand, us-east-1"))
                .yAxisTitle("US$ per million records").build();
        c.getStyler().setStacked(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setXAxisLabelRotation(40);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridVerticalLinesVisible(false);
        c.getStyler().setAvailableSpaceFill(0.8);
        c.getStyler().setYAxisDecimalPattern("$#,##0.00");
        c.getStyler().setSeriesColors(new Color[]{new Color(0x1f77b4), new Color(0x9ecae1), new Color(0xff7f0e)});
        c.addSeries("DynamoDB writes", labels, writes);
        c.addSeries("DynamoDB reads", labels, reads);
        c.addSeries("Lambda (" + pricing.lambdaArchitecture() + ", " + pricing.lambdaMemoryMb() + " MB)", labels,
                lambda);
        BitmapEncoder.saveBitmap(c, png.toString().replaceFirst("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
    }

    private static CategoryChart chart(String title, String yTitle) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yTitle)
                .build();
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setXAxisLabelRotation(40);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridVerticalLinesVisible(false);
        c.getStyler().setAvailableSpaceFill(0.8);
        c.getStyler().setSeriesColors(new Color[]{new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c)});
        return c;
    }

    /**
     * XChart anchors bar charts' y axis at 0, which a log axis cannot show: set it to whole decades around the
     * data instead.
     */
    private static void decades(CategoryChart c, List<Double> values) {
        double min = values.stream().filter(v -> v != null).mapToDouble(Double::doubleValue).min().orElse(1);
        double max = values.stream().filter(v -> v != null).mapToDouble(Double::doubleValue).max().orElse(10);
        c.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min * 0.99))));
        // A decade of headroom keeps the legend (top right) off the tallest bars.
        c.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(max * 10))));
    }

    /** Log axes cannot show 0: a request-free bar is drawn at the axis floor. */
    private static Double positive(double v) {
        return v > 0 ? v : 1e-4;
    }
}
