package dev.ferry.cmd;

import dev.ferry.overlay.multiaddr.Multiaddr;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a multiaddr argument; a bad one is a usage error naming what is wrong. */
final class MultiaddrConverter implements ITypeConverter<Multiaddr> {
    @Override
    public Multiaddr convert(String value) {
        try {
            return Multiaddr.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
