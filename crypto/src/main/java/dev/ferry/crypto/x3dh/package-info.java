/**
 * X3DH key agreement (Signal's X3DH specification) without one-time prekeys: the messaging
 * identity (an X25519 key signed by the Ed25519 node key), signed prekeys and their rotation, the
 * public prekey bundle, and the agreement that gives a new Double Ratchet session its shared
 * secret and associated data. No I/O: time and randomness come in as arguments.
 */
package dev.ferry.crypto.x3dh;
