#!/usr/bin/env bash
# The paper path as a newcomer meets it: a user without root, a fresh clone of this
# checkout's HEAD, then make study, make paper, make paper-bundle and make paper-from-bundle,
# each timed (BENCHMARKS.md). TeX must be installed (sudo apt-get install
# texlive-latex-recommended latexmk poppler-utils).
#
#   sudo bash bench/fresh_clone_paper.sh [USER]     # default user: negr2user
#
# As root: creates USER if missing and a git bundle of HEAD. As USER, with the system's PATH
# and nothing else set: the clone and the four targets, two cores. The log is
# ~USER/fresh-clone-paper.log.
set -euo pipefail
user=${1:-negr2user}
[[ $(id -u) == 0 ]] || { echo "run as root: it creates a user" >&2; exit 1; }
id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
folder=$(mktemp -d /tmp/negr2-paper.XXXX)
git bundle create "$folder/negr2.bundle" HEAD >/dev/null 2>&1
chmod -R a+rX "$folder"

su - "$user" -c "env -i HOME=/home/$user USER=$user LOGNAME=$user LANG=C.UTF-8 \
    PATH=/usr/local/bin:/usr/bin:/bin bash -c '
    cd ~ && rm -rf negr2-paper && git clone -q $folder/negr2.bundle negr2-paper && cd negr2-paper
    for target in study paper paper-bundle paper-from-bundle; do
        start=\$(date +%s); make \$target CORES=2; code=\$?
        echo \"make \$target: exit \$code after \$((\$(date +%s) - start)) s\"
        [ \$code = 0 ] || exit \$code
    done
    ls -l results/manuscript/ms.pdf results/manuscript/ms-bundle.tar.gz results/manuscript/ms-from-bundle.pdf
    '" 2>&1 | tee "/home/$user/fresh-clone-paper.log"
