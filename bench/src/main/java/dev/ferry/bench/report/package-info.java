/**
 * What {@code bench/run report} publishes with: {@link dev.ferry.bench.report.Chart} draws PNG
 * charts with java.awt, {@link dev.ferry.bench.report.Cdf} makes distributions of samples, and
 * {@link dev.ferry.bench.report.Template} fills the Markdown template of docs/BENCHMARKS.md.
 */
package dev.ferry.bench.report;
