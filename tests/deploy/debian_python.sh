#!/bin/sh
# Unpack Debian's CPython VERSION (from the release that ships it) into DEST, without installing
# it: its own loader and libraries run it beside this machine's. DEST/bin/pythonVERSION starts it.
#
#     sh debian_python.sh 3.13 /abs/path/.build/python3.13
set -eu
version=$1 dest=$2 suite=trixie
apt_dir=$dest/apt
rm -rf "$dest" && mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$dest/debs" "$dest/root" "$dest/bin"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
    >"$apt_dir/sources.list"
apt="apt-get -q -o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=/dev/null
    -o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache -o APT::Sandbox::User=root"
$apt update >/dev/null
# The interpreter, its standard library, and the shared libraries they link (this suite's glibc too).
cd "$dest/debs"
$apt download "python$version-minimal" "libpython$version-minimal" "libpython$version-stdlib" libc6 libgcc-s1 \
    libexpat1 zlib1g libssl3t64 libffi8 libbz2-1.0 liblzma5 libsqlite3-0 libzstd1 libuuid1 libcrypt1 libmpdec4 \
    libtinfo6 libncursesw6 libreadline8t64 >/dev/null
for deb in *.deb; do dpkg-deb -x "$deb" "$dest/root"; done
cd "$dest" && rm -rf "$dest/debs" "$apt_dir"
lib=$dest/root/usr/lib/x86_64-linux-gnu
cat >"$dest/bin/python$version" <<WRAPPER
#!/bin/sh
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$dest/root/usr/bin/python$version" "\$@"
WRAPPER
chmod +x "$dest/bin/python$version"
"$dest/bin/python$version" -c 'import ctypes, sqlite3, ssl, sys, zlib; print(sys.version)'
