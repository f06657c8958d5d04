#!/usr/bin/env bash
# make study and make test as a user without root, with Debian's SLURM, munge, TeX, poppler
# and Chromium off PATH: what a newcomer on a fresh machine meets (BENCHMARKS.md, eighth round).
#
#   sudo bash bench/without_system_tools.sh [USER]     # default user: negr2user
#
# As root: creates USER if missing, a folder of links to every program in /usr/local/bin,
# /usr/bin and /usr/sbin except those of the packages below (and links resolving to them),
# and a git bundle of this checkout's HEAD. As USER, with only that PATH: a fresh clone, then
# `make study CORES=2` and `make test`. The log is ~USER/without-system-tools.log.
set -euo pipefail
user=${1:-negr2user}
[[ $(id -u) == 0 ]] || { echo "run as root: it creates a user" >&2; exit 1; }
packages="chromium chromium-common chromium-driver latexmk munge poppler-utils slurm-client
slurm-wlm slurm-wlm-basic-plugins slurmctld slurmd texlive-base texlive-binaries
texlive-latex-base texlive-latex-recommended tex-common"

id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
folder=$(mktemp -d /tmp/negr2-path.XXXX)
mkdir "$folder/bin"
for package in $packages; do dpkg -L "$package" 2>/dev/null || true; done \
    | grep -E '^/usr/(s?bin|local/bin)/' | xargs -r -n1 basename | sort -u >"$folder/excluded"
for dir in /usr/local/bin /usr/bin /usr/sbin; do
    for program in "$dir"/*; do
        name=$(basename "$program")
        target=$(basename "$(readlink -f "$program")")
        grep -qxF -e "$name" -e "$target" "$folder/excluded" && continue
        [[ -e $folder/bin/$name ]] || ln -s "$program" "$folder/bin/$name"
    done
done
chmod -R a+rX "$folder"
git bundle create "$folder/negr2.bundle" HEAD >/dev/null 2>&1
chmod a+r "$folder/negr2.bundle"

su - "$user" -c "env -i HOME=/home/$user USER=$user LOGNAME=$user LANG=C.UTF-8 \
    PATH=$folder/bin bash -c '
    cd ~ && rm -rf negr2-fresh && git clone -q $folder/negr2.bundle negr2-fresh && cd negr2-fresh
    for tool in chromium chromedriver pdflatex latexmk pdftotext slurmctld sbatch munged python3; do
        echo \"\$tool: \$(command -v \$tool || echo not found)\"; done
    start=\$(date +%s); make study CORES=2; echo \"make study: exit \$? after \$((\$(date +%s) - start)) s\"
    start=\$(date +%s); make test; echo \"make test: exit \$? after \$((\$(date +%s) - start)) s\"
    '" 2>&1 | tee "/home/$user/without-system-tools.log"
