package dev.ferry.cmd;

import dev.ferry.dht.record.FerryRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ferry dht get}: reads a {@code /ferry/} record and checks its signature. */
@Command(name = "get",
        description = {"Fetch the best record under KEY from the DHT (the highest sequence among those whose signature "
                + "verifies) and print 'value <text>', or 'value_hex <hex>' when the value is not one line of "
                + "printable UTF-8, then 'sequence <n>'."})
final class DhtGetCommand extends DhtClientCommand {
    @Parameters(index = "0", paramLabel = "KEY", converter = FerryKeyConverter.class,
            description = "/ferry/PEERID/NAME, PEERID in base58 (12D3KooW...) or CID (bafz...) form.")
    FerryKey key;

    @Override
    int run(DhtSession session) throws Exception {
        byte[] k = key.bytes();
        Optional<byte[]> found = session.await(session.dht.getValue(k), "the lookup of " + key);
        if (found.isEmpty()) throw new NotFoundException("no record under " + key + " in the DHT");
        // getValue validated it already; opening again gives the value and sequence it holds
        FerryRecord record = switch (FerryRecord.open(k, found.get())) {
            case FerryRecord.Opening.Verified v -> v.record();
            case FerryRecord.Opening.Rejected r -> throw new IllegalStateException("the record under " + key
                    + " is not valid: " + r.why().detail());
        };
        byte[] value = record.value();
        Optional<String> text = printableText(value);
        System.out.println(text.map(t -> "value " + t).orElseGet(() -> "value_hex " + HexFormat.of().formatHex(value)));
        System.out.println("sequence " + Long.toUnsignedString(record.sequence()));
        return 0;
    }

    /** {@code bytes} as text if they are valid UTF-8 without control characters (so one line, nothing hidden). */
    static Optional<String> printableText(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        boolean printable = text.codePoints().noneMatch(c -> Character.isISOControl(c)
                || Character.getType(c) == Character.FORMAT || Character.getType(c) == Character.LINE_SEPARATOR
                || Character.getType(c) == Character.PARAGRAPH_SEPARATOR);
        return printable ? Optional.of(text) : Optional.empty();
    }
}
