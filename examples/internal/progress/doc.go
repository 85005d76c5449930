// Package progress draws the progress bars of rab's example programs.
package progress
