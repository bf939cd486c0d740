package dev.ferry.cmd;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a CID argument; a bad one is a usage error naming what is wrong. */
final class ContentIdConverter implements ITypeConverter<ContentId> {
    @Override
    public ContentId convert(String value) {
        try {
            return ContentId.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
