/** libp2p ping. */
package dev.ferry.overlay.ping;
