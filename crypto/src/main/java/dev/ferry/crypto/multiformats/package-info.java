/** Multiformats codecs: unsigned varint, multihash, multibase, base58btc. */
package dev.ferry.crypto.multiformats;
