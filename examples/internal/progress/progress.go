package progress

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// IsTerminal reports whether w is a terminal, where a progress bar belongs: in a file
// or a pipe its frames would be hundreds of lines of noise.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Bar returns a progress callback that draws a bar on w (usually os.Stderr): a new bar
// starts, labelled with stage, whenever the previous one has finished; done == total
// finishes a bar and clears it.
func Bar(w io.Writer) func(stage string, done, total int) {
	var bar *progressbar.ProgressBar
	return func(stage string, done, total int) {
		if bar == nil || bar.IsFinished() {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(stage), progressbar.OptionClearOnFinish(),
				progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond))
		}
		_ = bar.Set(done)
		if done == total {
			_ = bar.Finish()
		}
	}
}
