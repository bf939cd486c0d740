package dev.ferry.cmd;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a {@code /ferry/PEERID/NAME} argument; a bad one is a usage error naming what is wrong. */
final class FerryKeyConverter implements ITypeConverter<FerryKey> {
    @Override
    public FerryKey convert(String value) {
        try {
            return FerryKey.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
