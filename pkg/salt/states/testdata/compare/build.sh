# Builds the Go side of cmp.py: the package's tests with zz_cmp_test.go
# added for the time of the build.
cd "$(git rev-parse --show-toplevel)" && cp /tmp/cmp/zz_cmp_test.go.txt pkg/salt/states/zz_cmp_test.go && go test -c -o /tmp/cmp/st.test ./pkg/salt/states/; rm -f pkg/salt/states/zz_cmp_test.go
