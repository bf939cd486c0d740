package dev.ferry.cmd;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses the KEY of {@code ferry dht closest}; a bad one is a usage error naming what is wrong. */
final class LookupKeyConverter implements ITypeConverter<LookupKey> {
    @Override
    public LookupKey convert(String value) {
        try {
            return LookupKey.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
