package dev.ferry.cmd;

import dev.ferry.crypto.PeerId;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a PeerId argument; a bad one is a usage error naming what is wrong. */
final class PeerIdConverter implements ITypeConverter<PeerId> {
    @Override
    public PeerId convert(String value) {
        try {
            return PeerId.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
