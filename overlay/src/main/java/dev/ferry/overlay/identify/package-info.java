/** libp2p identify and identify-push. */
package dev.ferry.overlay.identify;
