#!/bin/sh
# Installs the npm AMF library the interop test (test/amf/NodeInterop.test.cpp) decodes with:
# amfjs 1.3.1 under <checkout>/build/npm. tools/test may call it before running the tests; the
# build itself never downloads anything. It never fails: without node, npm or the network the
# test skips the amfjs part with a warning, and this script says why.
#   test/amf/interop/install-npm-peers.sh [PREFIX]   (default <checkout>/build/npm)
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/../../.." && pwd)
prefix=${1:-$checkout/build/npm}
package=amfjs
version=1.3.1

if ! command -v node >/dev/null 2>&1; then
  echo "install-npm-peers: node is not installed; the AMF node interop test will be skipped"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-npm-peers: npm is not installed; $package will not be installed and its checks skipped"
  exit 0
fi
installed=$(node -e "try{console.log(require('$prefix/node_modules/$package/package.json').version)}catch(e){}" 2>/dev/null)
if [ "$installed" = "$version" ]; then
  echo "install-npm-peers: $package@$version is already installed in $prefix"
  exit 0
fi
mkdir -p "$prefix" || { echo "install-npm-peers: cannot create $prefix; $package checks will be skipped"; exit 0; }
if npm install --no-audit --no-fund --fetch-retries=1 --fetch-timeout=60000 --prefix "$prefix" "$package@$version"; then
  echo "install-npm-peers: installed $package@$version in $prefix"
else
  echo "install-npm-peers: npm install $package@$version failed (status $?; offline or no registry?);" \
       "the test will skip its $package checks"
fi
exit 0
