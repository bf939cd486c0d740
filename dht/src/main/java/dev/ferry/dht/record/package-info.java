/**
 * DHT records: what PUT_VALUE may store and GET_VALUE may return. A key's namespace, its first
 * path segment ({@code /pk/...}, {@code /ferry/...}), picks the {@link
 * dev.ferry.dht.record.RecordValidator} that says whether a value is valid for the key and which
 * of several valid values is best; {@link dev.ferry.dht.record.Validators} holds one per
 * namespace and refuses keys of any other. Ferry knows two namespaces: {@code /pk/} (public
 * keys, as go- and js-libp2p validate them) and {@code /ferry/} (values signed by the peer
 * they are about: {@link dev.ferry.dht.record.FerryRecord}). Pure: no I/O, no clock.
 */
package dev.ferry.dht.record;
