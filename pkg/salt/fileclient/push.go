package fileclient

import (
	"context"
	"io"
	"os"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Push is the transfer of cp.push: the local file at path goes to the
// master in _file_recv chunks of BufferSize bytes, to be kept there under
// the components of loadPath. It returns true once every chunk was taken
// (a file of no bytes is one empty chunk), else the master's first falsy
// answer, as Salt returns it (false when the master's file_recv is off or
// the file is larger than its file_recv_max_size).
func (c *Client) Push(ctx context.Context, path string, loadPath []string) (any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := c.BufferSize
	if size <= 0 {
		size = DefaultBufferSize
	}
	buf := make([]byte, size)
	var loc int64
	for sent := false; ; sent = true {
		n, err := io.ReadFull(f, buf)
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return nil, err
		}
		if n == 0 && sent {
			return true, nil
		}
		ret, err := c.req.Request(ctx, fileRecvLoad(loadPath, st.Size(), loc, append([]byte(nil), buf[:n]...)))
		if err != nil {
			return nil, err
		}
		if !py.Truthy(ret) {
			return ret, nil
		}
		loc += int64(n)
	}
}
