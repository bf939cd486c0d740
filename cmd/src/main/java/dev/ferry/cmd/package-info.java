/** The {@code ferry} command line (picocli). */
package dev.ferry.cmd;
