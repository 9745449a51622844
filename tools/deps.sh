# Sourced by tools/run-tests and tools/run-demo: installs the Debian 12
# packages the project needs, skipping what is installed already.

cw_build_packages="
  meson ninja-build pkg-config gcc clang libclang-rt-14-dev python3
  libglib2.0-dev libglib2.0-bin libjson-glib-dev libsodium-dev libsqlite3-dev
  libsoup-3.0-dev libsecret-1-dev libgtk-4-dev libadwaita-1-dev libqrencode-dev
  libgnutls28-dev libcairo2-dev
  glib-networking gettext desktop-file-utils appstream
"
cw_test_packages="
  golang-go golang-golang-x-mod-dev
  gnome-keyring libsecret-tools dbus-daemon dbus-x11 xvfb xauth
  openssl curl sqlite3 valgrind zbar-tools faketime
  python3-dogtail python3-pyatspi at-spi2-core
"

cw_missing_packages () {
  local missing=""
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing="$missing $pkg"
    fi
  done
  echo "$missing"
}

cw_install_packages () {
  local missing
  missing=$(cw_missing_packages "$@")
  [ -z "$missing" ] && return 0

  if [ "$(id -u)" != 0 ]; then
    echo "Missing Debian packages:$missing" >&2
    echo "Install them (as root: apt-get install$missing) and run again." >&2
    return 1
  fi

  echo "Installing:$missing"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
}
