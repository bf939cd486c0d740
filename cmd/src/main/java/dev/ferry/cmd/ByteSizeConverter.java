package dev.ferry.cmd;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Byte counts with an optional binary suffix: {@code 1048576}, {@code 64KiB}, {@code 256MiB}, {@code 1GiB}. */
final class ByteSizeConverter implements ITypeConverter<Long> {
    /** A byte count for people: {@code 512 B}, {@code 1.5 KiB}, {@code 64.0 MiB}. */
    static String format(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        return String.format(Locale.ROOT, "%.1f GiB", bytes / 1073741824.0);
    }

    @Override
    public Long convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        for (String[] s : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}, {"k", "1024"},
                {"m", "1048576"}, {"g", "1073741824"}, {"b", "1"}}) {
            if (v.endsWith(s[0])) {
                unit = Long.parseLong(s[1]);
                v = v.substring(0, v.length() - s[0].length()).trim();
                break;
            }
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) throw new TypeConversionException("'" + value + "' is negative");
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new TypeConversionException("'" + value + "' is not a byte count (e.g. 1048576, 64KiB, 256MiB)");
        }
    }
}
