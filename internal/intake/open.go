package intake

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Open opens path as a workbook or CSV. Any reason the file cannot be read
// is returned as *UnusableError.
func Open(path string, opt Options) (File, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &UnusableError{Path: path, Reason: "no such file", Fix: "check the path and file name"}
	}
	if err != nil {
		return nil, &UnusableError{Path: path, Reason: "cannot read the file: " + err.Error()}
	}
	if st.IsDir() {
		return nil, &UnusableError{Path: path, Reason: "this is a folder, not a file", Fix: "give the path of an .xlsx or .csv file"}
	}
	if st.Size() == 0 {
		return nil, &UnusableError{Path: path, Reason: "the file is empty", Fix: "save the spreadsheet again and check it has data"}
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt", ".tsv":
		return openCSV(path)
	default:
		return openXLSX(path, opt)
	}
}
